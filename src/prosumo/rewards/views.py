"""The rewards pages: a member's points, badges and leaderboard choice; leaderboards; staff's rules and improvements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_member
from prosumo.core.input import id_in_range
from prosumo.core.pages import form_errors, page_errors
from prosumo.ideas.permissions import access_campaign
from prosumo.rewards import selectors, services
from prosumo.rewards.forms import RuleForm
from prosumo.rewards.permissions import require_improvement_marker, require_rewards_admin, staff_page


@login_required
def my_rewards(request: MemberRequest) -> HttpResponse:
    member = request.user
    context = {
        "balance": selectors.balance(member_id=member.pk),
        "rewards": selectors.member_rewards(member_id=member.pk),
        "history": selectors.history(member_id=member.pk),
        "hidden": selectors.hidden_from_leaderboards(member_id=member.pk),
    }
    return render(request, "rewards/mine.html", context)


@login_required
@require_POST
@page_errors(back="my_rewards")
def leaderboard_choice(request: MemberRequest) -> HttpResponse:
    hidden = request.POST.get("hidden") == "1"
    services.leaderboard_choose(actor=require_member(request.user), hidden=hidden)
    if hidden:
        messages.success(request, _("You are no longer shown on the leaderboards."))
    else:
        messages.success(request, _("You are shown on the leaderboards again."))
    return redirect("my_rewards")


@page_errors()
def leaderboard(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    """Overall, or one campaign's (which the visitor must be able to see)."""
    campaign = access_campaign(request.user, campaign_id) if campaign_id is not None else None
    standings = selectors.leaderboard(campaign_id=campaign.pk if campaign else None)
    return render(request, "rewards/leaderboard.html", {"campaign": campaign, "standings": standings})


def _chosen_campaign(request: HttpRequest) -> int | None:
    raw = request.GET.get("campaign") or ""
    return int(raw) if raw.isdigit() and id_in_range(int(raw)) else None


@login_required
@page_errors()
def staff_rules(request: MemberRequest) -> HttpResponse:
    """Set the points a campaign (or the whole site) gives for each thing, through `rule_set`."""
    staff_page(request.user)
    require_rewards_admin(request.user)
    campaign_id = _chosen_campaign(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as caught:
            version = services.rule_set(actor=request.user, campaign_id=campaign_id, **form.cleaned_data)
        if caught.error is None:
            messages.success(
                request,
                _("Saved: version %(number)s gives %(points)s points.")
                % {"number": version.number, "points": version.points},
            )
            back = reverse("staff_rewards")
            return redirect(f"{back}?campaign={campaign_id}" if campaign_id else back)
    campaigns = selectors.campaigns_for_rules()
    context = {
        "form": form,
        "campaigns": campaigns,
        "campaign": next((c for c in campaigns if c.pk == campaign_id), None),
        "rows": selectors.rules(campaign_id=campaign_id),
    }
    return render(request, "rewards/staff_rules.html", context, status=400 if form.errors else 200)


@login_required
@page_errors()
def staff_improvements(request: MemberRequest) -> HttpResponse:
    staff_page(request.user)
    require_improvement_marker(request.user)
    return render(request, "rewards/staff_improvements.html", {"rows": selectors.improvement_candidates()})


@login_required
@require_POST
@page_errors(back="staff_improvements")
def staff_improvement_mark(request: MemberRequest, comment_id: int) -> HttpResponse:
    staff_page(request.user)
    services.comment_mark_improved(actor=request.user, comment_id=comment_id)
    messages.success(request, _("Marked as an improvement."))
    return redirect("staff_improvements")
