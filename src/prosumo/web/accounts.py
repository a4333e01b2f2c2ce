"""allauth hooks: sign-up (display name, invitations, channel, referrer) and new passwords.

A new account records its channel and referrer; one made through an invitation's link
must use the address the invitation was sent to, and takes the invitation up; a new
password, however it was set, revokes the member's API tokens. A sign-up through a social
provider counts toward the same sign-up limit and joins the same way.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prosumo.community.limits import rate_limit
from prosumo.community.models import Invitation, Member
from prosumo.community.pseudonyms import pseudonym
from prosumo.community.services import invitation_take_up, member_joined, member_password_change
from prosumo.core.validators import validate_one_line
from prosumo.outreach.codes import LANDING_SESSION_KEY
from prosumo.outreach.services import signup_conversion


def invitation_in_session(request: HttpRequest | None) -> Invitation | None:
    """The open invitation whose link this browser followed before signing up, if any."""
    if request is None or not hasattr(request, "session"):
        return None
    token = request.session.get("invitation_token", "")
    if not token:
        return None
    return Invitation.objects.filter(token=token, accepted_at__isnull=True).first()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form with a display name, held to the invitation the visitor came through.

    The display name starts as a new pseudonym, which the visitor keeps or replaces; left
    empty, the member gets a pseudonym anyway. Other people only ever see this name.
    """

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        validators=[validate_one_line],
        help_text=_(
            "How other members see you. Keep this pseudonym or write your own; your email address is never shown."
        ),
    )
    field_order = ["email", "display_name", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].initial = pseudonym()

    def clean_email(self) -> str:
        invitation = invitation_in_session(context.request)
        email = str(self.cleaned_data["email"]).strip().lower()
        if invitation is not None and email != invitation.email:
            raise forms.ValidationError(
                gettext(
                    "Your invitation was sent to {email}: sign up with that address. "
                    "An invitation cannot be used with another one."
                ).format(email=invitation.email),
                code="invitation_other_address",
            )
        return str(super().clean_email())


def _joined(request: HttpRequest, member: Member) -> None:
    """What every new account does, however it was made: its channel, its referrer, its invitation."""
    session = request.session
    referrer = None
    code = session.pop("referral_code", "")
    if code:
        referrer = Member.objects.filter(referral_code=code).first()
    channel = session.pop("channel", "") or ("referral" if referrer else "")
    touches = session.pop("touches", [])
    invitation = invitation_in_session(request)
    session.pop("invitation_token", "")
    # The form refused any other address; an invitation is only taken up by its own.
    if invitation is not None and invitation.email == member.email.lower():
        invitation_take_up(invitation=invitation, member=member)
        channel = "invite"
        referrer = referrer or invitation.invited_by
    member_joined(member=member, channel=channel, referrer=referrer, touches=touches)
    # Joined through a message experiment's landing link: a conversion of that arm.
    landing = session.pop(LANDING_SESSION_KEY, "")
    if landing:
        signup_conversion(member_id=member.pk, code=str(landing))


def _page_language() -> str:
    """The language the visitor was reading the site in, which a new account keeps."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: AbstractBaseUser, form: Any, commit: bool = True) -> Member:
        assert isinstance(user, Member)
        user.display_name = str(form.cleaned_data.get("display_name") or "").strip() or pseudonym()
        user.locale = _page_language()
        member: Member = super().save_user(request, user, form, commit=True)  # type: ignore[assignment]
        _joined(request, member)
        return member

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        """Every password change, reset and first password set on the sign-in pages comes here."""
        assert isinstance(user, Member)
        member_password_change(member=user, password=password)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Member:
        """A new account from a social provider: limited like sign-up, named by a pseudonym, and joined.

        The provider's name for the person is not taken as the public name: it is often their
        real name, which they did not choose to show here. They may change the pseudonym in Settings.
        """
        rate_limit(request, "signup")
        user = sociallogin.user
        assert isinstance(user, Member)
        user.display_name = user.display_name or pseudonym()
        user.locale = _page_language()
        member: Member = super().save_user(request, sociallogin, form)  # type: ignore[assignment]
        _joined(request, member)
        return member
