"""The budget pages: a member's ballot (tick the ideas to fund within the budget) and the results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prosumo.budgets import selectors, services
from prosumo.budgets.forms import BudgetForm
from prosumo.budgets.permissions import access_budget_campaign, is_running, require_budget_admin
from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_member, require_staff_page
from prosumo.core.errors import InvalidInput
from prosumo.core.pages import form_errors, page_errors


@login_required
@page_errors()
def budget_ballot(request: MemberRequest, slug: str) -> HttpResponse:
    """The costed ideas with boxes to tick, the budget, and the member's saved ballot; a refusal keeps their ticks."""
    member = require_member(request.user)
    campaign = access_budget_campaign(member, slug)
    ballot = selectors.ballot_of(campaign, member)
    chosen = selectors.ballot_ideas(ballot)
    error, status = "", 200
    if request.method == "POST":
        try:
            chosen = sorted(int(v) for v in request.POST.getlist("idea"))
        except ValueError:
            chosen = []
        try:
            services.ballot_cast(actor=member, campaign_id=campaign.pk, idea_ids=chosen)
        except InvalidInput as exc:
            error, status = exc.message, 400
        else:
            messages.success(request, _("Your ballot is saved. You can change it until the campaign closes."))
            return redirect("budget_ballot", slug=slug)
    budget = selectors.budget_of(campaign)
    context = {
        "campaign": campaign,
        "budget": budget,
        "budget_text": services.money(budget.amount_cents, budget.currency) if budget else "",
        "options": [
            (o, services.money(o.cost_cents, budget.currency) if budget else "") for o in selectors.options(campaign)
        ],
        "chosen": chosen,
        "ballot": ballot,
        "running": is_running(campaign),
        "error": error,
    }
    return render(request, "budgets/ballot.html", context, status=status)


@page_errors()
def budget_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The costed ideas in order of support, and those the budget funds."""
    campaign = access_budget_campaign(request.user, slug)
    budget = selectors.budget_of(campaign)
    currency = budget.currency if budget else ""
    rows = [(row, services.money(row.cost_cents, currency)) for row in selectors.results(campaign)]
    context = {
        "campaign": campaign,
        "rows": rows,
        "budget_text": services.money(budget.amount_cents, currency) if budget else "",
    }
    return render(request, "budgets/results.html", context)


@login_required
@page_errors()
def staff_budget(request: MemberRequest, campaign_id: int) -> HttpResponse:
    """An admin sets a budget campaign's budget and its ideas' costs on one form, all or nothing."""
    require_staff_page(request.user)
    require_budget_admin(request.user)
    campaign = access_budget_campaign(request.user, campaign_id)
    posted = request.method == "POST"
    form = BudgetForm(
        request.POST if posted else None, budget=selectors.budget_of(campaign), rows=selectors.costing(campaign)
    )
    status = 200
    if posted and form.is_valid():
        with form_errors(form) as caught:
            changes = services.budget_setup(
                actor=request.user,
                campaign_id=campaign.pk,
                amount=form.cleaned_data["amount"],
                currency=form.cleaned_data["currency"],
                costs=form.costs(),
            )
            messages.success(
                request,
                _("Budget and costs saved.")
                if changes
                else _("Nothing had changed: the budget and costs are as they were."),
            )
            return redirect("staff_budget", campaign_id=campaign.pk)
        status = caught.status
    elif posted:
        status = 400
    return render(request, "staff/budget.html", {"campaign": campaign, "form": form}, status=status)
