from django.urls import path

from prosumo.notifications import views

urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<id:notification_id>/open/", views.notification_open, name="notification_open"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/unsubscribe/<str:token>/<slug:kind>/", views.unsubscribe, name="unsubscribe_kind"),
]
