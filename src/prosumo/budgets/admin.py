"""The admin shows budgets, costs and ballots as they are (read only): they change through the services only."""

from django.contrib import admin

from prosumo.budgets.models import Ballot, Budget, Cost
from prosumo.core.admin import ReadOnlyAdmin


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campaign", "amount_cents", "currency"]


@admin.register(Cost)
class CostAdmin(ReadOnlyAdmin):
    list_display = ["pk", "idea", "amount_cents"]


@admin.register(Ballot)
class BallotAdmin(ReadOnlyAdmin):
    list_display = ["pk", "campaign", "member", "total_cents", "cast_at", "changed_at"]
