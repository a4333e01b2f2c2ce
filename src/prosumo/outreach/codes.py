"""The codes staff post with an experiment's arm outside email: what they say, and reading one back."""

from __future__ import annotations

from django.utils.crypto import constant_time_compare, salted_hmac

from prosumo.outreach.models import Arm

CODE_SALT = "prosumo.outreach.code"
#: Where a visitor's arm landing code waits in their session until they sign up.
LANDING_SESSION_KEY = "outreach_code"


def arm_code(arm: Arm) -> str:
    """The code staff post with an arm outside email (in a shop, on a banner): `X<experiment>-<arm>-<check>`.

    The check is a keyed hash of the two numbers, so a code with a changed number is refused.
    """
    body = f"X{arm.experiment_id}-{arm.pk}"
    return f"{body}-{salted_hmac(CODE_SALT, body).hexdigest()[:8].upper()}"


def code_read(code: str) -> tuple[int, int] | None:
    """The (experiment id, arm id) a code names, or None when it is not one of ours or was changed."""
    parts = code.strip().upper().split("-")
    if len(parts) != 3 or not parts[0].startswith("X") or not parts[0][1:].isdigit() or not parts[1].isdigit():
        return None
    body = f"{parts[0]}-{parts[1]}"
    if not constant_time_compare(parts[2], salted_hmac(CODE_SALT, body).hexdigest()[:8].upper()):
        return None
    return int(parts[0][1:]), int(parts[1])
