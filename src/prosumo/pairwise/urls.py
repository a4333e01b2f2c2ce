from django.urls import path

from prosumo.pairwise import views

urlpatterns = [
    path("c/<slug:slug>/pairs/", views.pairwise_pair, name="pairwise_pair"),
    path("c/<slug:slug>/pairs/results/", views.pairwise_results, name="pairwise_results"),
]
