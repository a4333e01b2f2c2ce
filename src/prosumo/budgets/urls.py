from django.urls import path

from prosumo.budgets import views

urlpatterns = [
    path("c/<slug:slug>/budget/", views.budget_ballot, name="budget_ballot"),
    path("c/<slug:slug>/budget/results/", views.budget_results, name="budget_results"),
    path("staff/campaigns/<id:campaign_id>/budget/", views.staff_budget, name="staff_budget"),
]
