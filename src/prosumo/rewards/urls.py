from django.urls import path

from prosumo.rewards import views

urlpatterns = [
    path("rewards/", views.my_rewards, name="my_rewards"),
    path("rewards/leaderboard/", views.leaderboard, name="leaderboard"),
    path("rewards/leaderboard/<id:campaign_id>/", views.leaderboard, name="campaign_leaderboard"),
    path("rewards/leaderboard/choice/", views.leaderboard_choice, name="leaderboard_choice"),
    path("rewards/royalties/", views.my_royalties, name="my_royalties"),
    path("rewards/royalties/statement.csv", views.my_statement_csv, name="my_statement_csv"),
    path("staff/rewards/", views.staff_rules, name="staff_rewards"),
    path("staff/royalties/", views.staff_pools, name="staff_pools"),
    path("staff/royalties/<id:pool_id>/", views.staff_pool, name="staff_pool"),
    path("staff/royalties/<id:pool_id>/payouts.csv", views.staff_payouts_csv, name="staff_payouts_csv"),
    path("staff/rewards/ledger/", views.staff_ledger, name="staff_ledger"),
    path("staff/rewards/ledger/<id:member_id>/spend/", views.staff_ledger_spend, name="staff_ledger_spend"),
    path("staff/rewards/postings/<id:posting_id>/correction/", views.staff_ledger_correct, name="staff_ledger_correct"),
    path("staff/rewards/improvements/", views.staff_improvements, name="staff_improvements"),
    path("staff/rewards/improvements/<id:comment_id>/", views.staff_improvement_mark, name="staff_improvement_mark"),
]
