"""Contribution terms: staff publish versions, members accept the current one before they contribute.

A version, once published, never changes: a change is a new version, which members are
asked to accept at their next contribution; what was agreed before stays as it was (each
idea keeps the version and licence it was given under). The ideas services call
`contribution_problems` and `contribution_accept` in the transaction of a submission,
and `contribution_accept` in that of a comment (a comment takes no licence of its own).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.services import event_record
from prosumo.community.models import Licence, Member, Role, TermsAcceptance, TermsVersion
from prosumo.community.permissions import require_member, require_role
from prosumo.core.errors import InvalidInput, NotFound

TEXT_MAX = 100_000


def terms_current() -> TermsVersion | None:
    """The latest published version, or None while no terms are published (then none are asked for)."""
    return TermsVersion.objects.order_by("-number").first()


def terms_accepted(member: Member, version: TermsVersion) -> bool:
    return TermsAcceptance.objects.filter(member=member, version=version).exists()


def terms_publish(*, actor: Member, text: str) -> TermsVersion:
    """An admin publishes a new version of the terms; from now on members accept it before contributing."""
    admin = require_role(actor, Role.ADMIN)
    text = text.strip()
    if not text or len(text) > TEXT_MAX:
        raise InvalidInput(
            gettext("The terms were not published."),
            fields={"text": [gettext("Write the terms, at most {limit} characters.").format(limit=TEXT_MAX)]},
        )
    now = timezone.now()
    with transaction.atomic():
        # Two admins publishing at the same moment: the unique number refuses the second version N.
        number = (TermsVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TermsVersion.objects.create(
            number=number,
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            published_at=now,
            published_by=admin,
        )
        event_record(
            verb="terms.published",
            actor_id=admin.pk,
            object_type="terms",
            object_id=version.pk,
            value=number,
            occurred_at=now,
        )
    return version


def _accept(member: Member, version: TermsVersion, now: datetime) -> bool:
    """Record the acceptance once; whether it is new. Call inside a transaction."""
    try:
        with transaction.atomic():
            TermsAcceptance.objects.create(member=member, version=version, accepted_at=now)
    except IntegrityError:
        return False
    event_record(
        verb="terms.accepted",
        actor_id=member.pk,
        object_type="terms",
        object_id=version.pk,
        value=version.number,
        occurred_at=now,
    )
    return True


def terms_accept(*, actor: Member, version_id: int) -> TermsAcceptance:
    """A member accepts the current version of the terms (again: nothing changes)."""
    member = require_member(actor)
    current = terms_current()
    if current is None or current.pk != version_id:
        raise NotFound(gettext("These are not the current terms; read and accept the current version."))
    with transaction.atomic():
        _accept(member, current, timezone.now())
    return TermsAcceptance.objects.get(member=member, version=current)


def _terms_problem(member: Member, current: TermsVersion | None, accept_terms: int | None) -> str | None:
    if current is None or accept_terms == current.number or terms_accepted(member, current):
        return None
    if accept_terms is None:
        return gettext("Read and accept the contribution terms (version {number}) to contribute.").format(
            number=current.number
        )
    return gettext("The terms changed since you read them: read and accept version {number}.").format(
        number=current.number
    )


def contribution_problems(
    *, member: Member, allowed: list[str], licence: str, accept_terms: int | None, message: bool = False
) -> dict[str, list[str]]:
    """What stops a member contributing under the current terms with this licence: {} when nothing.

    ``accept_terms`` is the number of the version the member accepts with this
    contribution (None when they accept nothing now); ``message`` when the contribution is
    a message for a brief rather than an idea, which the reasons then name.
    """
    errors: dict[str, list[str]] = {}
    current = terms_current()
    problem = _terms_problem(member, current, accept_terms)
    if problem is not None:
        errors["accept_terms"] = [problem]
    names = ", ".join(str(Licence(v).label) for v in allowed if v in Licence.values)
    if licence and licence not in allowed:
        text = (
            gettext("This brief takes messages under one of: {names}.")
            if message
            else gettext("This campaign takes ideas under one of: {names}.")
        )
        errors["licence"] = [text.format(names=names)]
    elif not licence and current is not None:
        text = (
            gettext("Choose the licence you give your message under: {names}.")
            if message
            else gettext("Choose the licence you give your idea under: {names}.")
        )
        errors["licence"] = [text.format(names=names)]
    return errors


def contribution_accept(*, member: Member, accept_terms: int | None, refused: str) -> TermsVersion | None:
    """The version a contribution is made under, recording the member's acceptance if they gave it now.

    Call in the contribution's transaction (after ``contribution_problems`` for an idea):
    a version published in between is refused here rather than agreed to unread. When the
    member has not accepted the current version and does not accept it now, raises
    InvalidInput with ``refused`` as its message and the reason on ``accept_terms``.
    """
    current = terms_current()
    problem = _terms_problem(member, current, accept_terms)
    if problem is not None:
        raise InvalidInput(refused, fields={"accept_terms": [problem]})
    if current is not None and accept_terms == current.number:
        _accept(member, current, timezone.now())
    return current


def terms_context(member: Member) -> dict[str, Any]:
    """What a contribution form shows of the terms: the current version (None: none published), whether it is accepted."""
    accepted = TermsAcceptance.objects.filter(member=member, version=OuterRef("pk"))
    current = TermsVersion.objects.annotate(accepted=Exists(accepted)).order_by("-number").first()  # one query
    return {"terms": current, "terms_accepted": current is not None and current.accepted}


def contribution_context(member: Member, campaign: Any) -> dict[str, Any]:
    """What a submission form shows of the terms: the current version, whether it is accepted, the licences."""
    allowed = [v for v in campaign.allowed_licences if v in Licence.values]
    return {**terms_context(member), "licences": [(value, Licence(value).label) for value in allowed]}
