"""Members, roles, segments, customer records, channels and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prosumo.community.pseudonyms import pseudonym_for
from prosumo.core.validators import validate_one_line


class Role(models.TextChoices):
    """Roles, from least to most trusted; see docs/permissions.md."""

    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    REVIEWER = "reviewer", _("Reviewer")
    ADMIN = "admin", _("Admin")


# The roles that make a member staff: with a superuser, whoever `Member.is_staff` names.
STAFF_ROLES = (Role.MODERATOR, Role.REVIEWER, Role.ADMIN)


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


def public_name(pk: int | None, display_name: str, erased_at: datetime | None) -> str:
    """A member's name as other people see it (`Member.name`), from the three columns it depends on."""
    if erased_at is not None:
        return gettext("former member")
    return display_name or pseudonym_for(pk or 0)


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
    # Messages the community team sends (outreach experiments), apart from the news about ideas
    # that `email_preference` governs: each kind of mail is stopped on its own.
    outreach_email = models.BooleanField(_("messages from the community team"), default=True)
    # Whether the member's display name goes into the open-data export (docs/open-data.md); off: a pseudonym only.
    open_data_name = models.BooleanField(_("show my name in open data"), default=False)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=_token)
    is_active = models.BooleanField(default=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_reason = models.TextField(blank=True)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the member erased their account (prosumo.privacy): the row stays, without
    # anything personal, so that their ideas, comments and events keep an author.
    erased_at = models.DateTimeField(null=True, blank=True)

    objects = MemberManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["id"]
        # Imports match customer records to members by email, whatever its case, a batch at a time.
        indexes = [models.Index(Lower("email"), name="member_email_lower")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name other people see, on every page, in the API and in mail: never any part of the email address."""
        return public_name(self.pk, self.display_name, self.erased_at)

    def holds_role(self, *roles: str) -> bool:
        """Whether this account acts with one of the roles: a superuser with any, a closed or suspended one with none."""
        if not self.is_active or self.suspended_at is not None:
            return False
        return self.is_superuser or self.role in roles

    @staticmethod
    def holding_role(*roles: str) -> Q:
        """`holds_role` as a condition on members, for queries."""
        return Q(is_active=True, suspended_at__isnull=True) & (Q(is_superuser=True) | Q(role__in=roles))

    @property
    def is_staff(self) -> bool:
        """Staff: the one definition, asked by the staff pages, the API's `staff` scope and the Django admin."""
        return self.holds_role(*STAFF_ROLES)

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


class CustomerImport(models.Model):
    """One customer CSV on its way in: checked, then written, by a job on the "bulk" queue.

    The file itself is kept (`CustomerImportFile`) until the job ends, so that a job
    whose worker was killed can be resumed by another; `rows_written` is the cursor of
    the writing phase, advanced in the same transaction as each batch of records
    (docs/operations.md).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking the rows")
        WRITING = "writing", _("Writing the rows")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Refused: nothing was imported")
        CANCELLED = "cancelled", _("Cancelled: nothing was imported")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField()
    dry_run = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED, db_index=True)
    rows_expected = models.PositiveIntegerField(default=0, help_text="lines after the header, before checking")
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="rows, once every row is checked")
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    runner = models.CharField(max_length=64, blank=True, help_text="the job run that holds it; empty when none")
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    ACTIVE = (State.QUEUED, State.CHECKING, State.WRITING)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One import writes at a time: two interleaved imports would leave records half of each.
            models.UniqueConstraint(
                fields=["dry_run"],
                condition=models.Q(dry_run=False, state__in=["queued", "checking", "writing"]),
                name="one_customer_import_at_a_time",
            )
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.file_name}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE

    @property
    def checked_percent(self) -> int:
        return _percent(self.rows_checked, self.rows_total or max(self.rows_expected, self.rows_checked))

    @property
    def written_percent(self) -> int:
        return _percent(self.rows_written, self.rows_total or 0)


def _percent(part: int, whole: int) -> int:
    return min(100, part * 100 // whole) if whole else 0


class CustomerImportFile(models.Model):
    """The uploaded bytes of an import, until its job ends.

    A table of its own: SQLite rewrites a whole row on every update, and the job's row
    is updated after every batch; with the file in it, each update would copy megabytes.
    """

    customer_import = models.OneToOneField(
        CustomerImport, primary_key=True, on_delete=models.CASCADE, related_name="file"
    )
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"file of import {self.customer_import_id}"


class Invitation(models.Model):
    """An email invitation to join the community; its channel is `invite`.

    It belongs to its address: only a member signing up or signed in with that address
    can take it up (docs/security.md, "Invitations"). An app above may invite to more
    than joining: ideas' own Invitation extends this one with a campaign or an idea to
    co-author, says so in the email through `mail_context`, and sends the member there
    after they take it up through `destination`.
    """

    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_token)
    invited_by = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email

    def mail_context(self) -> dict[str, str]:
        """What the invitation's email says besides the invitation to join (nothing, for a plain one)."""
        return {}

    def destination(self) -> str:
        """Where the member goes once they have taken it up: the home page, for a plain one."""
        return "/"


# API tokens: a member's credentials for scripts and integrations (docs/api.md, "Tokens").


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Scope(models.TextChoices):
    """What a token may do (docs/api.md, "Scopes"); every endpoint needs one of them.

    ``read`` is in every token. Without ``staff`` a token acts as a plain member,
    whatever its member's role.
    """

    READ = "read", _("Read")
    WRITE = "write", _("Take part")
    STAFF = "staff", _("Staff powers")


class TokenEnd(models.TextChoices):
    """Why a token stopped working before its expiry."""

    REVOKED = "revoked", _("Revoked by its member")
    PASSWORD_CHANGED = "password_changed", _("The member's password changed")
    SUSPENDED = "suspended", _("The member was suspended")


class ApiToken(models.Model):
    """A bearer token acting as its member, within its scopes; only the SHA-256 of the token is stored."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.CharField(max_length=40, default=Scope.READ, help_text="space-separated: read, write, staff")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, choices=TokenEnd.choices, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @staticmethod
    def new_raw_token() -> str:
        return "psm_" + secrets.token_urlsafe(32)


# --- contribution terms (docs/ip.md) ----------------------------------------------------------


class Licence(models.TextChoices):
    """What a contributor grants the company for an idea: chosen per idea, among what its campaign allows."""

    ASSIGNMENT = "assignment", _("Assign the rights to the company")
    EXCLUSIVE = "exclusive", _("Exclusive licence to the company")
    NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive licence to the company")
    CC_BY = "cc_by_4_0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA = "cc_by_sa_4_0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")


# What a campaign allows unless staff choose otherwise: the company's own licences, no Creative Commons.
DEFAULT_LICENCES = [Licence.ASSIGNMENT.value, Licence.EXCLUSIVE.value, Licence.NON_EXCLUSIVE.value]


class TermsVersion(models.Model):
    """One published version of the contribution terms; never edited once published (a change is a new version)."""

    number = models.PositiveIntegerField(unique=True)
    text = models.TextField(help_text=_("Markdown"))
    text_sha256 = models.CharField(max_length=64)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Terms version {self.number}"


class TermsAcceptance(models.Model):
    """A member accepted one version of the terms, once."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_accepted")
    version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "version"], name="terms_accepted_once")]

    def __str__(self) -> str:
        return f"{self.member_id} accepted version {self.version_id}"
