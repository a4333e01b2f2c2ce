"""Participatory budgets: admins set the budget and the costs; members cast and change ballots (docs/events.md)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.budgets.models import Ballot, Budget, Cost
from prosumo.budgets.permissions import access_budget_campaign, access_budget_to_vote, require_budget_admin
from prosumo.budgets.selectors import budget_of, options
from prosumo.core.errors import InvalidInput
from prosumo.ideas.models import Idea, VotingMode
from prosumo.ideas.permissions import access_idea

CURRENCY = re.compile(r"[A-Z]{3}")
AMOUNT = re.compile(r"(\d{1,13})(?:[.,](\d{1,2}))?")


def _cents(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(gettext("An amount is a whole number of cents, at least 1."), fields={field: ["invalid"]})
    return value


def budget_set(*, actor: Any, campaign_id: int | str, amount_cents: int, currency: str = "EUR") -> Budget:
    """Set (or change) the budget members of a budget campaign spend, in integer cents of one currency."""
    admin = require_budget_admin(actor)
    campaign = access_budget_campaign(admin, campaign_id)
    amount = _cents(amount_cents, "amount_cents")
    if not CURRENCY.fullmatch(currency or ""):
        raise InvalidInput(
            gettext("A currency is three capital letters, such as EUR."), fields={"currency": ["invalid"]}
        )
    with transaction.atomic():
        budget, _ = Budget.objects.update_or_create(
            campaign=campaign, defaults={"amount_cents": amount, "currency": currency}
        )
        event_record(
            verb="budget.set",
            actor_id=admin.pk,
            object_type="campaign",
            object_id=campaign.pk,
            campaign_id=campaign.pk,
            value=float(amount),
            details={"currency": currency},
        )
    return budget


def cost_set(*, actor: Any, idea_id: int, amount_cents: int) -> Cost:
    """Set (or change) what an idea of a budget campaign would cost, in the budget's currency."""
    admin = require_budget_admin(actor)
    idea = access_idea(admin, idea_id)
    if idea.campaign.voting_mode != VotingMode.BUDGET:
        raise InvalidInput(gettext("This idea's campaign has no participatory budget."), code="not_budget_campaign")
    amount = _cents(amount_cents, "amount_cents")
    with transaction.atomic():
        cost, _ = Cost.objects.update_or_create(idea=idea, defaults={"amount_cents": amount})
        event_record(
            verb="budget.cost_set",
            actor_id=admin.pk,
            object_type="idea",
            object_id=idea.pk,
            campaign_id=idea.campaign_id,
            value=float(amount),
        )
    return cost


def ballot_cast(*, actor: Any, campaign_id: int | str, idea_ids: Iterable[int]) -> Ballot:
    """Cast a member's ballot, or change it until the campaign closes: the ideas they would fund.

    Refused, with nothing changed: a campaign that is not a budget campaign or not running,
    no budget set yet, an idea twice or not on the ballot (not costed, not open, elsewhere),
    and a ballot whose costs add up to more than the budget.
    """
    wanted = list(idea_ids)
    try:
        with transaction.atomic():
            member, campaign = access_budget_to_vote(actor, campaign_id)
            budget = budget_of(campaign)
            if budget is None:
                raise InvalidInput(gettext("Staff have not set this campaign's budget yet."), code="no_budget")
            costs = {o.idea.pk: o.cost_cents for o in options(campaign)}
            problems: dict[str, list[str]] = {}
            if len(set(wanted)) != len(wanted):
                problems["idea_ids"] = [gettext("Choose each idea once.")]
            elif unknown := sorted(set(wanted) - set(costs)):
                problems["idea_ids"] = [
                    gettext("These ideas are not on the ballot: {ids}.").format(ids=", ".join(map(str, unknown)))
                ]
            if problems:
                raise InvalidInput(gettext("Your ballot was not saved."), fields=problems)
            total = sum(costs[pk] for pk in wanted)
            if total > budget.amount_cents:
                message = gettext("Your ballot costs {total}, more than the budget of {budget}.").format(
                    total=money(total, budget.currency), budget=money(budget.amount_cents, budget.currency)
                )
                raise InvalidInput(message, fields={"idea_ids": [message]}, code="over_budget")
            ballot = Ballot.objects.select_for_update().filter(campaign=campaign, member=member).first()
            first = ballot is None
            now = timezone.now()
            if ballot is None:
                ballot = Ballot.objects.create(
                    campaign=campaign, member=member, total_cents=total, cast_at=now, changed_at=now
                )
            else:
                ballot.total_cents, ballot.changed_at = total, now
                ballot.save(update_fields=["total_cents", "changed_at"])
            ballot.ideas.set(Idea.objects.filter(pk__in=wanted))
            event_record(
                verb="budget.ballot_cast" if first else "budget.ballot_changed",
                actor_id=member.pk,
                object_type="campaign",
                object_id=campaign.pk,
                campaign_id=campaign.pk,
                value=float(total),
                details={"ideas": sorted(wanted), "currency": budget.currency},
            )
    except IntegrityError:
        # the same member's other request cast the first ballot meanwhile: this one changes it
        return ballot_cast(actor=actor, campaign_id=campaign_id, idea_ids=wanted)
    return ballot


def cents_from_text(text: str) -> int | None:
    """An amount as staff write it on a page (1500, 1500.5, 1500,50) in cents; None when it is not one."""
    found = AMOUNT.fullmatch((text or "").strip().replace(" ", ""))
    if found is None:
        return None
    return int(found[1]) * 100 + int((found[2] or "0").ljust(2, "0"))


def budget_setup(*, actor: Any, campaign_id: int | str, amount: str, currency: str, costs: Mapping[int, str]) -> int:
    """Set a budget campaign's budget and its ideas' costs from a page, all or nothing; the number of changes.

    `amount` and each cost are written as on the page (`cents_from_text`); a blank cost
    leaves the idea as it is. Any amount that is not one, at least 1 cent, or a currency
    other than three capital letters is refused with each field's message and nothing is
    changed (fields `amount`, `currency`, `cost_<idea id>`). Only what differs from what is
    stored is set, through `budget_set` and `cost_set`, so each change writes its event.
    """
    admin = require_budget_admin(actor)
    campaign = access_budget_campaign(admin, campaign_id)
    not_amount = gettext("Write an amount such as 1500 or 1500.50, at least 0.01.")
    problems: dict[str, list[str]] = {}
    budget_cents = cents_from_text(amount)
    if not budget_cents:
        problems["amount"] = [not_amount]
    currency = (currency or "").strip().upper()
    if not CURRENCY.fullmatch(currency):
        problems["currency"] = [gettext("A currency is three capital letters, such as EUR.")]
    ideas = set(Idea.objects.filter(campaign=campaign, pk__in=list(costs)).values_list("pk", flat=True))
    stored = dict(Cost.objects.filter(idea__campaign=campaign).values_list("idea_id", "amount_cents"))
    wanted: dict[int, int] = {}
    for idea_id, text in costs.items():
        if not (text or "").strip():
            continue
        cents = cents_from_text(text)
        if idea_id not in ideas:
            problems[f"cost_{idea_id}"] = [gettext("This idea is not in the campaign.")]
        elif not cents:
            problems[f"cost_{idea_id}"] = [not_amount]
        elif stored.get(idea_id) != cents:
            wanted[idea_id] = cents
    if problems:
        raise InvalidInput(gettext("Nothing was saved: correct the amounts marked."), fields=problems)
    changes = 0
    with transaction.atomic():
        budget = budget_of(campaign)
        if budget is None or (budget.amount_cents, budget.currency) != (budget_cents, currency):
            budget_set(actor=admin, campaign_id=campaign.pk, amount_cents=budget_cents or 0, currency=currency)
            changes += 1
        for idea_id, cents in sorted(wanted.items()):
            cost_set(actor=admin, idea_id=idea_id, amount_cents=cents)
            changes += 1
    return changes


def money(cents: int, currency: str) -> str:
    """An amount as people read it: 1,234.50 EUR."""
    return f"{cents // 100:,}.{cents % 100:02d} {currency}"


def member_ballots_erase(*, member_id: int) -> int:
    """Take back an erased member's ballots, as their support votes are withdrawn; the results no longer count them.

    Called by the erasure service in its transaction (prosumo.privacy). Their pairwise
    choices stay, as their events do, tied to an id that no longer leads to anyone.
    """
    deleted, _ = Ballot.objects.filter(member_id=member_id).delete()
    return deleted
