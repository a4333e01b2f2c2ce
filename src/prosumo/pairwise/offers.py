"""The pairs the site offers a member, signed, so that only a pair it offered can be answered, and only once.

A pair shown to a member carries an *offer*: the member, the campaign, the two ideas in
their order and a random number, signed with the site's secret and dated. The answer
sends it back; `offer_read` refuses one that was not made for that member, campaign and
pair, was changed, or is older than `OFFER_MAX_AGE`. The random number is stored with the
answer (`Choice.offer`, unique), so an offer answered once cannot be answered again. Nothing
is written when a pair is shown.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext

from prosumo.core.errors import InvalidInput

SALT = "prosumo.pairwise.offer"
OFFER_MAX_AGE = timedelta(days=1)


def offer_sign(*, member_id: int, campaign_id: int, left_id: int, right_id: int) -> str:
    """The signed offer of this pair, in this order, to this member."""
    value = {"m": member_id, "c": campaign_id, "l": left_id, "r": right_id, "n": secrets.token_hex(8)}
    return signing.dumps(value, salt=SALT)


def offer_read(offer: str, *, member_id: int, campaign_id: int, left_id: int, right_id: int) -> str:
    """The offer's random number, if it is this member's offer of this pair in this campaign; else InvalidInput."""
    refused = InvalidInput(
        gettext("This pair was not offered to you, or the offer is too old: answer the pair shown now."),
        code="pair_not_offered",
        fields={"offer": ["not_offered"]},
    )
    try:
        value = signing.loads(offer, salt=SALT, max_age=OFFER_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        raise refused from None
    expected = {"m": member_id, "c": campaign_id, "l": left_id, "r": right_id}
    if not isinstance(value, dict) or {k: value.get(k) for k in expected} != expected:
        raise refused
    return str(value.get("n", ""))
