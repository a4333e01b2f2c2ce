from django.urls import path

from prosumo.community import views

urlpatterns = [
    path("me/", views.profile_edit, name="profile_edit"),
    path("members/<id:member_id>/", views.member_profile, name="member"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("staff/members/<id:member_id>/suspend/", views.staff_suspend, name="staff_suspend"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/import/<id:import_id>/", views.staff_import_job, name="staff_import_job"),
]
