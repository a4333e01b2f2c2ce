from django.urls import path

from prosumo.rewards import views

urlpatterns = [
    path("rewards/", views.my_rewards, name="my_rewards"),
    path("rewards/leaderboard/", views.leaderboard, name="leaderboard"),
    path("rewards/leaderboard/<id:campaign_id>/", views.leaderboard, name="campaign_leaderboard"),
    path("rewards/leaderboard/choice/", views.leaderboard_choice, name="leaderboard_choice"),
    path("staff/rewards/", views.staff_rules, name="staff_rewards"),
    path("staff/rewards/improvements/", views.staff_improvements, name="staff_improvements"),
    path("staff/rewards/improvements/<id:comment_id>/", views.staff_improvement_mark, name="staff_improvement_mark"),
]
