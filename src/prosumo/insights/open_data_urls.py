"""The public page of the open data, at /open-data/ (the staff's side is under /staff/insights/open-data/)."""

from django.urls import path

from prosumo.insights import views

urlpatterns = [
    path("", views.open_data, name="open_data"),
    path("<id:release_id>/open-data.zip", views.open_data_file, name="open_data_file"),
]
