from django.urls import path

from prosumo.outreach import views

urlpatterns = [
    path("outreach/", views.briefs, name="outreach_briefs"),
    path("outreach/briefs/<id:brief_id>/", views.brief, name="outreach_brief"),
    path("outreach/messages/<id:message_id>/", views.message, name="outreach_message"),
    path("outreach/messages/<id:message_id>/vote/", views.message_vote, name="outreach_message_vote"),
    path("outreach/messages/<id:message_id>/shortlist/", views.message_shortlist, name="outreach_message_shortlist"),
    path("o/<str:token>/", views.tracked_link, name="outreach_link"),
    path("staff/outreach/", views.staff_briefs, name="staff_outreach"),
    path("staff/outreach/channels/", views.staff_channels, name="staff_outreach_channels"),
    path(
        "staff/outreach/experiments/<id:experiment_id>/results/",
        views.staff_experiment_results,
        name="staff_outreach_experiment_results",
    ),
]
