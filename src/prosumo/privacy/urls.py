from django.urls import path

from prosumo.privacy import views

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("export/", views.export_request, name="my_data_export"),
    path("export/<id:export_id>/download/", views.export_download, name="my_data_download"),
    path("erase/", views.erase, name="my_data_erase"),
]
