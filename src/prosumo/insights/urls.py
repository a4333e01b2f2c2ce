from django.urls import path

from prosumo.insights import views

urlpatterns = [
    path("", views.dashboard, name="insights"),
    path("worth/", views.worth, name="insights_worth"),
    path("<id:run_id>/<slug:key>/", views.section, name="insights_section"),
    path("<id:run_id>/<slug:key>/<str:table>.csv", views.table_csv, name="insights_csv"),
]
