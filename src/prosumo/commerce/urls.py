from django.urls import path

from prosumo.commerce import views

urlpatterns = [
    path("staff/orders/", views.staff_orders, name="staff_orders"),
    path("staff/spend/", views.staff_spend, name="staff_spend"),
    path("staff/spend/<id:spend_id>/remove/", views.staff_spend_remove, name="staff_spend_remove"),
]
