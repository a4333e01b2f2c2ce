from django.urls import path

from prosumo.insights import views

urlpatterns = [
    path("", views.dashboard, name="insights"),
    path("worth/", views.worth, name="insights_worth"),
    path("open-data/", views.staff_open_data, name="staff_open_data"),
    path("open-data/<id:release_id>/publish/", views.staff_open_data_publish, name="staff_open_data_publish"),
    path("open-data/unpublish/", views.staff_open_data_unpublish, name="staff_open_data_unpublish"),
    path("<id:run_id>/<slug:key>/", views.section, name="insights_section"),
    path("<id:run_id>/<slug:key>/<str:table>.csv", views.table_csv, name="insights_csv"),
]
