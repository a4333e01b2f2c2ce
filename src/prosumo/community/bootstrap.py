"""First-run set-up shared by the CLI, the demo and the tests."""

from __future__ import annotations

from urllib.parse import urlparse

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sites.models import Site
from django.db import transaction

from prosumo.community.models import Member


def ensure_site() -> None:
    """Point the sites framework (used in emails) at PROSUMO_SITE_URL."""
    domain = urlparse(settings.SITE_URL).netloc or "localhost"
    Site.objects.update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME})


@transaction.atomic
def create_verified_member(
    *, email: str, password: str, role: str = "member", superuser: bool = False, **extra: object
) -> Member:
    """A member whose address needs no confirmation (admins made on the command line, tests, imports)."""
    from prosumo.community.services import member_joined

    channel = str(extra.pop("channel", "") or "")
    member = Member.objects.create_user(email=email, password=password, role=role, is_superuser=superuser, **extra)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    member_joined(member=member, channel=channel)
    return member
