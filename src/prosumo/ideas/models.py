"""Campaigns, ideas and everything members do to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order
from pgvector.django import HnswIndex, VectorField

from prosumo.community.models import DEFAULT_LICENCES, STAFF_ROLES, Licence, Member, Role
from prosumo.community.models import Invitation as JoinInvitation
from prosumo.core.input import id_in_range
from prosumo.core.models import Timestamped
from prosumo.core.phrases import words
from prosumo.core.storage import unguessable_name


class Stage(models.TextChoices):
    """The life of an idea. A campaign may rename or skip stages (Campaign.stage_labels, skipped_stages)."""

    SUBMITTED = "submitted", _("Submitted")
    OPEN = "open", _("Open for support")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    IN_DEVELOPMENT = "in_development", _("In development")
    LAUNCHED = "launched", _("Launched")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged")


CLOSED_STAGES = (Stage.LAUNCHED, Stage.DECLINED, Stage.MERGED)
# The stages in which an idea takes support votes (the vote service refuses the others).
VOTABLE_STAGES = (Stage.OPEN, Stage.UNDER_REVIEW)
STAGE_ORDER = [s.value for s in Stage]


class VotingMode(models.TextChoices):
    SUPPORT = "support", _("Support (with a threshold)")
    UPDOWN = "updown", _("Up or down")
    SCORE = "score", _("Score from 1 to 5")
    PAIRWISE = "pairwise", _("Pairwise: pick the better of two ideas")
    BUDGET = "budget", _("Participatory budget: spend a budget over ideas")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    SEGMENT = "segment", _("One segment only")
    INVITATION = "invitation", _("Invited members only")


def cover_upload_to(instance: Any, filename: str) -> str:
    """A name nobody can guess: a cover is served through its campaign's access rule, by `/c/<slug>/cover/`."""
    return unguessable_name("covers", filename)


def attachment_upload_to(instance: Any, filename: str) -> str:
    """A name nobody can guess: an attachment is served only through its idea's access rule."""
    return unguessable_name(f"attachments/{timezone.now():%Y/%m}", filename)


def default_licences() -> list[str]:
    return list(DEFAULT_LICENCES)


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def visible_to(self, member: Any) -> CampaignQuerySet:
        """The campaigns this person may see: the rule `ideas.visibility.CAMPAIGN`, in SQL."""
        from prosumo.ideas.visibility import CAMPAIGN  # the rule reads these models

        rule = CAMPAIGN.where(member)
        if isinstance(rule, bool):
            return self if rule else self.none()
        # A join through the invitees can repeat a campaign.
        return self.filter(rule).distinct() if getattr(member, "is_authenticated", False) else self.filter(rule)

    def named(self, reference: int | str) -> CampaignQuerySet:
        """The campaign a reference names, if any: the one rule behind every page and endpoint.

        * a whole number (an `int`) is an id;
        * text is a slug, when a campaign has that slug;
        * otherwise text of ASCII digits is an id ("2027" opens the campaign whose slug is
          2027, and the campaign with id 2027 only if no slug is 2027).

        Called on `visible_to(member)`, a slug the member cannot see does not hide an id they can.
        """
        if isinstance(reference, int):
            return self.filter(pk=reference) if id_in_range(reference) else self.none()
        # ASCII only: "²".isdigit() is true, yet int("²") fails; out of range, the driver could not send it.
        if not (reference.isascii() and reference.isdigit() and id_in_range(int(reference))):
            return self.filter(slug=reference)
        # An annotation, not a bare ORDER BY: PostgreSQL wants it in the SELECT of `visible_to`'s DISTINCT.
        named = self.filter(Q(slug=reference) | Q(pk=int(reference)))
        return named.annotate(by_slug=Case(When(slug=reference, then=0), default=1)).order_by("by_slug")[:1]


class Campaign(Timestamped):
    """A challenge the company sets its community: a brief, dates and rules."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=160)
    brief = models.TextField(help_text=_("Markdown"))
    cover = models.ImageField(upload_to=cover_upload_to, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    is_published = models.BooleanField(default=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    segment = models.ForeignKey("community.Segment", null=True, blank=True, on_delete=models.SET_NULL)
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="campaign_invitations")
    voting_mode = models.CharField(max_length=16, choices=VotingMode.choices, default=VotingMode.SUPPORT)
    support_threshold = models.PositiveIntegerField(
        default=0, help_text=_("Supporters that move an idea to review; 0 for none.")
    )
    support_gates = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Staged deadlines, e.g. [{"supporters": 100, "days": 60}, {"supporters": 1000, "days": 365}]'),
    )
    answer_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Days staff have to answer a new idea; empty for no deadline"),
    )
    premoderation = models.BooleanField(
        default=False, help_text=_("New ideas wait in 'submitted' until staff open them for support.")
    )
    scorecard_criteria = models.JSONField(default=list, blank=True)
    stage_labels = models.JSONField(default=dict, blank=True)
    skipped_stages = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    allowed_licences = models.JSONField(
        default=default_licences, blank=True, help_text=_("The licences a contributor may choose (docs/ip.md)")
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title

    def custom_stage_label(self, stage: str) -> str | None:
        """The name staff gave this stage, in the reader's language or else another; None if not renamed.

        Looked up stage by stage, so a stage renamed in one language only still shows its
        new name to readers of the other (ideas/translation.py lists the translated fields).
        """
        for language in resolution_order(get_language()):
            labels = getattr(self, build_localized_fieldname("stage_labels", language), None) or {}
            if labels.get(stage):
                return str(labels[stage])
        return None

    def stage_label(self, stage: str) -> str:
        return self.custom_stage_label(stage) or str(Stage(stage).label)

    def status(self, now: datetime | None = None) -> str:
        """Where the campaign stands: draft (unpublished), upcoming, running or ended."""
        now = now or timezone.now()
        if not self.is_published:
            return "draft"
        if self.starts_at > now:
            return "upcoming"
        if self.ends_at is not None and self.ends_at <= now:
            return "ended"
        return "running"

    def takes_ideas(self, now: datetime | None = None) -> bool:
        """Whether ideas may be submitted now: it has started and not ended (staff may try out a draft)."""
        now = now or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


# The reasons every site starts with: migration 0003 writes them once, and staff keep the
# list in the admin from then on. The last one is the reason the scheduled job gives.
# They are written in English (``label_en``) and, by migration 0015, in the catalogue's
# other languages; staff edit every language in the admin.
DEFAULT_DECLINE_REASONS = (
    gettext_noop("Already planned or in progress"),
    gettext_noop("Duplicate of another idea"),
    gettext_noop("Out of scope for this campaign"),
    gettext_noop("Not feasible now"),
    gettext_noop("Does not fit our product direction"),
    gettext_noop("Did not reach the supporters needed in time"),
)
GATE_MISSED_REASON = DEFAULT_DECLINE_REASONS[-1]


class DeclineReason(models.Model):
    """The list staff keep of reasons to decline an idea (DEFAULT_DECLINE_REASONS to start with)."""

    label = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.label


class Tag(models.Model):
    name = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


# The ideas a public list shows (not hidden, approved if the campaign is premoderated, not
# merged away): the same condition as IdeaQuerySet.listed(), for the partial indexes.
LISTED = Q(hidden=False, approved=True) & ~Q(stage=Stage.MERGED)
# Moves by staff that approve an idea waiting in premoderation (declining or merging it does not).
APPROVING_STAGES = (Stage.OPEN, Stage.UNDER_REVIEW, Stage.ACCEPTED, Stage.IN_DEVELOPMENT, Stage.LAUNCHED)


class IdeaQuerySet(models.QuerySet["Idea"]):
    def visible_to(self, member: Any) -> IdeaQuerySet:
        """The ideas this person may read: the one rule behind every page, endpoint, list, search and file.

        * the campaign is visible to them (`Campaign.objects.visible_to`);
        * a hidden idea only to moderators, admins and its author;
        * an idea not approved (waiting in premoderation, or refused there) only to staff,
          its author and its co-authors, invited or accepted.

        The rule is `ideas.visibility.IDEA`, read here in SQL; `ideas.permissions.idea_visible`
        reads it for one idea already loaded. `Idea.readers` is the same rule seen from the
        members' side; a test checks that the three agree for every kind of reader and idea.
        """
        from prosumo.ideas.visibility import IDEA  # the rule reads these models

        rule = IDEA.where(member)
        if isinstance(rule, bool):
            return self if rule else self.none()
        return self.filter(rule)

    def listed(self) -> IdeaQuerySet:
        """The ideas a public list shows; for anyone who may see the campaign, a part of `visible_to`."""
        return self.filter(LISTED)

    def waiting_for_answer(self) -> IdeaQuerySet:
        """Ideas no staff member has answered yet, at any stage: a move the site made by
        itself (a support threshold reached, a supporter deadline missed) is no answer."""
        return self.filter(answered_at__isnull=True, hidden=False)


class TallyFigures:
    """Figures read off an idea's tallies, for the model and for the typed rows of a list page."""

    stage: str
    up_count: int
    down_count: int
    score_sum: int
    score_count: int

    @property
    def voting_open(self) -> bool:
        """Whether the idea takes votes in its stage, so a page offers vote buttons only then."""
        return self.stage in VOTABLE_STAGES

    @property
    def net_votes(self) -> int:
        return self.up_count - self.down_count

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.score_count if self.score_count else None


class Idea(TallyFigures, Timestamped):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ideas")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas")
    title = models.CharField(max_length=160)
    body = models.TextField()
    language = models.CharField(max_length=8, default="en")
    tags = models.ManyToManyField(Tag, blank=True, related_name="ideas")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.OPEN, db_index=True)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text=_("First answer from staff"))
    answer_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When staff were reminded that the answer is due")
    )
    revision = models.PositiveIntegerField(default=1)
    hidden = models.BooleanField(default=False)
    approved = models.BooleanField(
        default=True,
        help_text=_(
            "False while the idea waits for staff in a premoderated campaign, or after staff refused it there: "
            "only staff and its authors see it."
        ),
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )
    # Vote tallies, kept exact by the vote service under a row lock.
    support_count = models.PositiveIntegerField(default=0)
    up_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    score_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    follower_count = models.PositiveIntegerField(default=0)
    # Ranking keys, recomputed on every vote (formulas in prosumo.ideas.ranking).
    rank_top = models.FloatField(default=0)
    rank_hot = models.FloatField(default=0)
    rank_trending = models.FloatField(default=0)
    gate_index = models.PositiveSmallIntegerField(default=0)
    gate_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    # The contribution terms the idea was submitted under, and the licence its author chose (docs/ip.md).
    terms_version = models.ForeignKey(
        "community.TermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="ideas"
    )
    licence = models.CharField(max_length=16, choices=Licence.choices, blank=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        indexes = [
            # One per list order, holding only listed ideas and ending in the tie-breaker, so
            # that a page is an index-only scan and its count never reads the table.
            models.Index(fields=["campaign", "-created_at", "-id"], name="idea_listed_new", condition=LISTED),
            models.Index(fields=["campaign", "-rank_top", "-id"], name="idea_listed_top", condition=LISTED),
            models.Index(fields=["campaign", "-rank_hot", "-id"], name="idea_listed_hot", condition=LISTED),
            models.Index(fields=["campaign", "-rank_trending", "-id"], name="idea_listed_trending", condition=LISTED),
            models.Index(fields=["answered_at", "created_at"], name="idea_answer_queue"),
        ]

    def __str__(self) -> str:
        return self.title

    def readers(self) -> models.QuerySet[Member]:
        """The active members who may read this idea: `IdeaQuerySet.visible_to` from the members' side.

        The notification fan-out tells only these, so a follower or supporter who lost
        sight of an idea (or never had it) is not told about it.
        """
        campaign = self.campaign
        # A suspended account holds no role (Member.holds_role): it reads as a member.
        staff = Member.holding_role(*STAFF_ROLES)
        moderators = Member.holding_role(Role.MODERATOR, Role.ADMIN)
        invited = Campaign.invitees.through.objects.filter(campaign_id=campaign.pk).values("member_id")
        if not campaign.is_published:
            rule = staff
        elif campaign.visibility == Visibility.PUBLIC:
            rule = Q(pk__isnull=False)  # everyone (an empty Q would vanish from the conditions below)
        elif campaign.visibility == Visibility.SEGMENT and campaign.segment_id is not None:
            rule = staff | Q(segment_id=campaign.segment_id)
        elif campaign.visibility == Visibility.INVITATION:
            rule = staff | Q(pk__in=invited)
        else:
            rule = staff
        if self.hidden:
            rule &= moderators | Q(pk=self.author_id)
        if not self.approved:
            coauthors = CoAuthor.objects.filter(idea_id=self.pk).exclude(status=CoAuthorStatus.DECLINED)
            rule &= staff | Q(pk=self.author_id) | Q(pk__in=coauthors.values("member_id"))
        return Member.objects.filter(rule, is_active=True)


class IdeaRevision(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["idea", "number"]
        constraints = [models.UniqueConstraint(fields=["idea", "number"], name="revision_number_once")]

    def __str__(self) -> str:
        return f"idea {self.idea_id} revision {self.number}"


class CoAuthorStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class CoAuthor(models.Model):
    """A member who shares authorship of an idea, with their share of the contribution."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="coauthors")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coauthorships")
    share = models.DecimalField(max_digits=5, decimal_places=2, help_text=_("Percent of the contribution"))
    status = models.CharField(max_length=16, choices=CoAuthorStatus.choices, default=CoAuthorStatus.INVITED)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="coauthor_once")]

    def __str__(self) -> str:
        return f"member {self.member_id} on idea {self.idea_id} ({self.share}%)"


class AmendmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the author")
    CHANGES_REQUESTED = "changes_requested", _("Changes asked for")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


#: An amendment still waiting on someone: the author's decision or the amender's changes.
OPEN_AMENDMENT = (AmendmentStatus.PENDING, AmendmentStatus.CHANGES_REQUESTED)


class Amendment(models.Model):
    """A change another member proposes to an idea's title and text; the author accepts it, rejects it or asks for changes.

    `base_revision` is the idea's revision the change was written against: once the idea
    has a newer one, the amendment is out of date and cannot be accepted until the amender
    updates it. An accepted amendment becomes a revision (`revision`) written by the amender.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="amendments")
    amender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="amendments")
    base_revision = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    body = models.TextField()
    note = models.CharField(max_length=200, blank=True, help_text=_("Why the change, in the amender's words"))
    status = models.CharField(max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.PENDING)
    answer = models.TextField(blank=True, help_text=_("The author's reason for a rejection, or the changes asked for"))
    decided_at = models.DateTimeField(null=True, blank=True)
    revision = models.ForeignKey(IdeaRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["idea", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "amender"],
                condition=Q(status__in=["pending", "changes_requested"]),
                name="amendment_one_open_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"amendment {self.pk} to idea {self.idea_id} by member {self.amender_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_AMENDMENT


class Invitation(JoinInvitation):
    """An invitation to join that also opens an invitation-only campaign, or offers a share of an idea to co-author.

    It extends the community's invitation (one more table, joined on its id), so the
    invitation's link, address rule and acceptance stay the community's; what it adds is
    taken up by `ideas.services.invitation_take_up`.
    """

    invitation_ptr = models.OneToOneField(
        JoinInvitation, on_delete=models.CASCADE, parent_link=True, primary_key=True, related_name="offer"
    )
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE)
    # A co-author invitation to someone who is not a member yet: the share the author offers, once they join.
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    share = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    def mail_context(self) -> dict[str, str]:
        return {"idea_title": self.idea.title} if self.idea is not None else {}

    def destination(self) -> str:
        """The idea they may co-author, or the campaign they were invited to."""
        if self.idea_id is not None:
            return f"/ideas/{self.idea_id}/"
        if self.campaign is not None:
            return f"/c/{self.campaign.slug}/"
        return super().destination()


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="follow_once")]

    def __str__(self) -> str:
        return f"member {self.member_id} follows idea {self.idea_id}"


class Vote(models.Model):
    """One member's current vote on one idea: +1 support/up, -1 down, or a 1-5 score."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "member"], name="vote_once_per_member")]

    def __str__(self) -> str:
        return f"member {self.member_id} votes {self.value} on idea {self.idea_id}"


class StageChange(models.Model):
    """A move of an idea between stages, with the staff answer that closes the loop."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField()
    message_phrase = models.JSONField(default=dict, blank=True, help_text="For a message the site wrote itself")
    reason = models.ForeignKey(DeclineReason, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"idea {self.idea_id}: {self.from_stage} -> {self.to_stage}"

    @property
    def display_message(self) -> str:
        """The staff's message as written, or the site's own in the active language."""
        return words(self.message_phrase, self.message)


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    builds_on = models.BooleanField(default=False, help_text=_("Proposes an improvement to the idea"))
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class CommentRevision(models.Model):
    """An earlier text of an edited comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"earlier text of comment {self.comment_id}"


class Attachment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class MergedSupport(models.Model):
    """A supporter of a merged idea: their support moves only with their consent."""

    class Status(models.TextChoices):
        CARRIED = "carried", _("Carried over")
        ALREADY = "already", _("Already supported the target")
        WITHDRAWN = "withdrawn", _("Withdrawn by the member")

    source = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"member {self.member_id}: {self.source_id} -> {self.target_id} ({self.status})"


class IdeaLineage(models.Model):
    """Idea `source` was merged into `target`: credit later follows the contributors of both."""

    source = models.OneToOneField(Idea, on_delete=models.CASCADE, related_name="lineage_out")
    target = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="lineage_in")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"idea {self.source_id} merged into {self.target_id}"


class DismissedDuplicate(models.Model):
    """Two ideas staff said are not duplicates: the pair never comes back to the duplicates list.

    One row per pair whichever idea was the waiting one: ``idea`` holds the lower id.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "other"], name="dismissed_duplicate_once"),
            models.CheckConstraint(condition=Q(idea__lt=models.F("other")), name="dismissed_duplicate_lower_first"),
        ]

    def __str__(self) -> str:
        return f"ideas {self.idea_id} and {self.other_id} are not duplicates"


class Flag(models.Model):
    """A report of an idea or comment that may break the rules."""

    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return self.reason


class Review(models.Model):
    """A reviewer's scorecard for an idea, one per reviewer."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scores = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "reviewer"], name="review_once")]

    def __str__(self) -> str:
        return f"review of idea {self.idea_id} by {self.reviewer_id}"


#: The length of the similarity model's vectors (ideas/similarity.py).
VECTOR_DIMENSIONS = 512


class IdeaEmbedding(models.Model):
    """An idea's title and text as a unit vector of one model, for similar ideas (ideas/similarity.py).

    One row per idea and model; `digest` is the hash of the text it was computed from, so
    computing it again for unchanged text writes nothing. A changed text replaces the row (a
    new id), which lets each process see from (count, newest id) that its copy is stale.
    """

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="+")
    campaign_id = models.BigIntegerField()  # the idea's campaign, copied for the in-process index
    model = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    vector = models.BinaryField()  # float32, little-endian

    class Meta:
        constraints = [models.UniqueConstraint(fields=["idea", "model"], name="idea_embedding_once")]

    def __str__(self) -> str:
        return f"{self.model} vector of idea {self.idea_id}"


class IdeaVector(models.Model):
    """An embedding's vector in a pgvector column with an HNSW index, for PostgreSQL servers that have pgvector.

    The table exists only there: migration 0018 creates it when the server offers pgvector
    0.8 or later (`similarity.install_pgvector`), and elsewhere (SQLite, PostgreSQL without
    the extension) the vectors are read from IdeaEmbedding into each process. The database
    deletes a row with its embedding (a foreign key ON DELETE CASCADE that the same function
    adds), so no delete here ever reads this table; a later migration that changes it must
    be as conditional as 0018.
    """

    embedding = models.OneToOneField(
        IdeaEmbedding, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    idea_id = models.BigIntegerField()
    campaign_id = models.BigIntegerField()
    vector = VectorField(dimensions=VECTOR_DIMENSIONS)

    class Meta:
        indexes = [
            # 32 links a node, as the in-process graph: with 16, ideas with many near copies were
            # missed far more often (bench/RESULTS.md, "Similarity", pgvector)
            HnswIndex(
                name="idea_vector_hnsw", fields=["vector"], m=32, ef_construction=128, opclasses=["vector_ip_ops"]
            ),
            models.Index(fields=["campaign_id"], name="idea_vector_campaign"),
        ]

    def __str__(self) -> str:
        return f"pgvector copy of embedding {self.embedding_id}"
