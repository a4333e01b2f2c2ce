"""The pairwise pages: a pair to answer (keyboard: left and right arrows, down for "can't decide") and the results."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from prosumo.community.http import MemberRequest
from prosumo.community.permissions import require_member
from prosumo.core.errors import InvalidInput
from prosumo.core.pages import page_errors
from prosumo.pairwise import selectors, services
from prosumo.pairwise.offers import offer_sign
from prosumo.pairwise.permissions import access_pairwise_campaign, is_running


def _id(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise InvalidInput(_("Your choice was not recorded."), fields={field: [_("Not an idea.")]}) from None


@login_required
@page_errors("pairwise_pair")
def pairwise_pair(request: MemberRequest, slug: str) -> HttpResponse:
    """Two ideas side by side; picking one (or neither) records it and shows the next pair."""
    member = require_member(request.user)
    if request.method == "POST":
        services.pairwise_choose(
            actor=member,
            campaign_id=slug,
            left_id=_id(request.POST.get("left_id"), "left_id"),
            right_id=_id(request.POST.get("right_id"), "right_id"),
            outcome=request.POST.get("outcome", ""),
            offer=request.POST.get("offer", ""),
        )
        return redirect("pairwise_pair", slug=slug)
    campaign = access_pairwise_campaign(member, slug)
    running = is_running(campaign)
    pair = selectors.next_pair(campaign) if running else None
    context = {
        "campaign": campaign,
        "pair": pair,
        "offer": offer_sign(member_id=member.pk, campaign_id=campaign.pk, left_id=pair[0].pk, right_id=pair[1].pk)
        if pair
        else "",
        "running": running,
        "answered": selectors.choices_made(campaign, member.pk),
    }
    return render(request, "pairwise/pair.html", context)


@page_errors()
def pairwise_results(request: HttpRequest, slug: str) -> HttpResponse:
    """Every idea's score: its estimated chance of beating another idea of the campaign, with its interval."""
    campaign = access_pairwise_campaign(request.user, slug)
    return render(request, "pairwise/results.html", {"campaign": campaign, "rows": selectors.results(campaign)})
