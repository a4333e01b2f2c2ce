"""Members, roles, segments, customer records, channels and invitations."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prosumo.core.validators import validate_one_line


class Role(models.TextChoices):
    """Roles, from least to most trusted; see docs/permissions.md."""

    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Admin")


class EmailPreference(models.TextChoices):
    IMMEDIATE = "immediate", _("Each notification at once")
    DAILY = "daily", _("One daily digest")
    NONE = "none", _("No email")


def _token() -> str:
    return secrets.token_urlsafe(24)


def _referral_code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


class MemberManager(BaseUserManager["Member"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Member:
        if not email:
            raise ValueError("A member needs an email address.")
        member = self.model(email=self.normalize_email(email).lower(), **extra)
        member.set_password(password)
        member.save(using=self._db)
        return member

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Member:
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Segment(models.Model):
    """A group of customers, e.g. a loyalty tier, that campaigns and analytics can target."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Member(AbstractBaseUser, PermissionsMixin):
    """A person in the community: a prosumer, or staff with a role."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True, validators=[validate_one_line])
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    locale = models.CharField(_("language"), max_length=8, default="en")
    country = models.CharField(_("country"), max_length=2, blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER, db_index=True)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    channel = models.CharField(max_length=64, blank=True, db_index=True)
    referred_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    referral_code = models.CharField(max_length=16, unique=True, default=_referral_code)
    email_preference = models.CharField(
        max_length=16, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATE
    )
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=_token)
    is_active = models.BooleanField(default=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.TextField(blank=True)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]

    @property
    def is_staff(self) -> bool:  # Django admin access; a suspended account has none
        if self.suspended_at is not None:
            return False
        return self.role in (Role.MODERATOR, Role.REVIEWER, Role.ADMIN) or self.is_superuser

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """Admins may use every part of the Django admin; other roles work in the staff pages."""
        if self.suspended_at is not None:
            return False
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.suspended_at is not None:
            return False
        if self.is_active and self.role == Role.ADMIN:
            return True
        return super().has_module_perms(app_label)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class CustomerRecord(models.Model):
    """A row of the company's customer data, imported from CSV and matched to a member by email."""

    customer_id = models.CharField(max_length=64, unique=True)
    email = models.EmailField(db_index=True)
    tier = models.CharField(max_length=64, blank=True)
    spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    country = models.CharField(max_length=2, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.SET_NULL)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer_records"
    )
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.customer_id


class Invitation(models.Model):
    """An email invitation to join (and optionally to a campaign); its channel is `invite`."""

    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_token)
    invited_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    campaign = models.ForeignKey("ideas.Campaign", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email
