"""allauth hooks: a new account records its channel and referrer; a new password ends the API tokens."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from prosumo.community.models import Invitation, Member
from prosumo.community.services import invitation_accept, member_joined, member_password_change


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Member, form: Any, commit: bool = True) -> Member:
        user = super().save_user(request, user, form, commit=True)
        session = request.session
        referrer = None
        code = session.pop("referral_code", "")
        if code:
            referrer = Member.objects.filter(referral_code=code).first()
        channel = session.pop("channel", "") or ("referral" if referrer else "")
        touches = session.pop("touches", [])
        token = session.pop("invitation_token", "")
        if token:
            invitation = Invitation.objects.filter(token=token, accepted_at__isnull=True).first()
            if invitation is not None:
                invitation_accept(invitation=invitation, member=user)
                channel = "invite"
                referrer = referrer or invitation.invited_by
        member_joined(member=user, channel=channel, referrer=referrer, touches=touches)
        return user

    def set_password(self, user: Member, password: str) -> None:
        """Every password change, reset and first password set on the sign-in pages comes here."""
        member_password_change(member=user, password=password)
