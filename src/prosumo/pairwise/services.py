"""Answering a pair in a pairwise campaign: one row and its event, in one transaction (docs/events.md)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.core.errors import Conflict, InvalidInput
from prosumo.pairwise.models import Choice, Outcome
from prosumo.pairwise.offers import offer_read
from prosumo.pairwise.permissions import access_pairwise_to_choose
from prosumo.pairwise.selectors import candidates


def pairwise_choose(
    *, actor: Any, campaign_id: int | str, left_id: int, right_id: int, outcome: str, offer: str
) -> Choice:
    """Record a member's answer to a pair the site offered them: the left idea, the right one, or "can't decide".

    Refused, with nothing written: a campaign that is not pairwise or not running, a pair
    the site did not offer this member in this order (`offer`, from `pairwise.offers`;
    `pair_not_offered`) or one they answered already (`pair_answered`), an outcome other
    than left, right or cant_decide, the same idea twice, or an idea that is not open for
    comparison in this campaign (hidden, merged, declined, elsewhere).
    """
    member, campaign = access_pairwise_to_choose(actor, campaign_id)
    nonce = offer_read(offer, member_id=member.pk, campaign_id=campaign.pk, left_id=left_id, right_id=right_id)
    answered = Conflict(gettext("You have answered this pair already: here is the next one."), code="pair_answered")
    if Choice.objects.filter(offer=nonce).exists():
        raise answered
    problems: dict[str, list[str]] = {}
    if outcome not in Outcome.values:
        problems["outcome"] = [gettext("Choose left, right or cant_decide.")]
    if left_id == right_id:
        problems["right_id"] = [gettext("A pair is two different ideas.")]
    open_ids = {idea.pk for idea in candidates(campaign)}
    for field, pk in (("left_id", left_id), ("right_id", right_id)):
        if pk not in open_ids:
            problems.setdefault(field, []).append(gettext("This idea is not open for comparison in this campaign."))
    if problems:
        raise InvalidInput(gettext("Your choice was not recorded."), fields=problems)
    winner, loser = {
        Outcome.LEFT: (left_id, right_id),
        Outcome.RIGHT: (right_id, left_id),
        Outcome.CANT_DECIDE: (None, None),
    }[Outcome(outcome)]
    with transaction.atomic():
        try:
            with transaction.atomic():  # the same offer sent twice at once: one row, the other refused
                choice = Choice.objects.create(
                    campaign=campaign,
                    member=member,
                    left_id=left_id,
                    right_id=right_id,
                    outcome=outcome,
                    winner_id=winner,
                    loser_id=loser,
                    offer=nonce,
                )
        except IntegrityError:
            raise answered from None
        if winner is None:
            event_record(
                verb="pairwise.cant_decide",
                actor_id=member.pk,
                object_type="campaign",
                object_id=campaign.pk,
                campaign_id=campaign.pk,
                details={"left": left_id, "right": right_id},
            )
        else:
            event_record(
                verb="pairwise.chosen",
                actor_id=member.pk,
                object_type="idea",
                object_id=winner,
                campaign_id=campaign.pk,
                details={"winner": winner, "loser": loser, "left": left_id, "right": right_id},
            )
    return choice
