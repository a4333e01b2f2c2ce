from django.urls import path

from prosumo.outreach import views

urlpatterns = [
    path("outreach/", views.briefs, name="outreach_briefs"),
    path("outreach/briefs/<id:brief_id>/", views.brief, name="outreach_brief"),
    path("outreach/messages/<id:message_id>/", views.message, name="outreach_message"),
    path("outreach/messages/<id:message_id>/image/", views.message_image, name="outreach_message_image"),
    path("outreach/messages/<id:message_id>/vote/", views.message_vote, name="outreach_message_vote"),
    path("outreach/messages/<id:message_id>/shortlist/", views.message_shortlist, name="outreach_message_shortlist"),
    path("o/x/<str:code>/", views.arm_landing, name="outreach_landing"),
    path("o/<str:token>/", views.tracked_link, name="outreach_link"),
    path("o/<str:token>/p.gif", views.tracking_pixel, name="outreach_pixel"),
    path("staff/outreach/", views.staff_briefs, name="staff_outreach"),
    path("staff/outreach/channels/", views.staff_channels, name="staff_outreach_channels"),
    path(
        "staff/outreach/experiments/<id:experiment_id>/results/",
        views.staff_experiment_results,
        name="staff_outreach_experiment_results",
    ),
    path("staff/outreach/briefs/<id:brief_id>/edit/", views.staff_brief_edit, name="staff_outreach_brief_edit"),
    path("staff/outreach/experiments/", views.staff_experiments, name="staff_outreach_experiments"),
    path("staff/outreach/experiments/<id:experiment_id>/", views.staff_experiment, name="staff_outreach_experiment"),
    path(
        "staff/outreach/experiments/<id:experiment_id>/links.csv",
        views.staff_experiment_links,
        name="staff_outreach_experiment_links",
    ),
    *(
        path(
            f"staff/outreach/experiments/<id:experiment_id>/{action}/",
            views.staff_experiment_act,
            {"action": action},
            name=f"staff_outreach_experiment_{action}",
        )
        for action in views.EXPERIMENT_ACTIONS
    ),
]
