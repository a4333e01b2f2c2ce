from django.urls import path

from prosumo.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
