"""Co-produced marketing messages: staff's briefs and the messages members and the company write for them (docs/outreach.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prosumo.core.storage import unguessable_name


class ChannelKind(models.TextChoices):
    """Where a message is shown."""

    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social post")
    PUSH = "push", _("Mobile push")
    BANNER = "banner", _("Web banner")
    IN_STORE = "in_store", _("In-store code")


class Medium(models.TextChoices):
    """Whether a channel speaks to one person at a time or to many at once."""

    PERSONAL = "personal", _("Personal medium")
    MASS = "mass", _("Mass medium")


#: The medium a channel of each kind is, unless staff say otherwise.
KIND_MEDIUM = {
    ChannelKind.EMAIL: Medium.PERSONAL,
    ChannelKind.SOCIAL: Medium.PERSONAL,
    ChannelKind.PUSH: Medium.PERSONAL,
    ChannelKind.BANNER: Medium.MASS,
    ChannelKind.IN_STORE: Medium.MASS,
}


class Channel(models.Model):
    """A place messages are shown: its kind, its medium, and (by its name) the spend commerce records for it.

    ``name`` is the channel's name everywhere: in commerce's channel spend and in the
    channel members came from, which the analytics join on.
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    medium = models.CharField(_("medium"), max_length=8, choices=Medium.choices)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessageBrief(models.Model):
    """What staff ask for: a message about a product, for an audience, in some channels and languages, by a date."""

    title = models.CharField(_("title"), max_length=160)
    product = models.CharField(_("product"), max_length=160)
    segment = models.ForeignKey(
        "community.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="message_briefs"
    )
    channels = models.JSONField(default=list)  # ChannelKind values
    tone = models.CharField(_("tone"), max_length=200, blank=True)
    length_min = models.PositiveIntegerField(default=1)
    length_max = models.PositiveIntegerField(default=280)
    deadline = models.DateTimeField(_("deadline"))
    languages = models.JSONField(default=list)  # language codes, e.g. ["en", "es"]
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(length_min__gte=1, length_max__gte=models.F("length_min")),
                name="brief_lengths_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (#{self.pk})"

    @property
    def open(self) -> bool:
        return self.deadline > timezone.now()


def message_image_upload_to(instance: Message, filename: str) -> str:
    """A name nobody can guess: a message's image is served only through the message's access rule."""
    return unguessable_name(f"messages/{timezone.now():%Y/%m}", filename)


class Message(models.Model):
    """One proposed message: its current text, who wrote it, under which terms; revisions keep the history."""

    brief = models.ForeignKey(MessageBrief, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="messages")
    company = models.BooleanField(default=False, help_text="Written by the company, not by a member")
    text = models.TextField()
    image = models.FileField(upload_to=message_image_upload_to, blank=True)
    image_type = models.CharField(max_length=32, blank=True, help_text="The image's type, read from its bytes")
    language = models.CharField(max_length=8)
    terms_version = models.ForeignKey(
        "community.TermsVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    licence = models.CharField(max_length=16, blank=True)
    revision = models.PositiveIntegerField(default=1)
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    shortlisted_at = models.DateTimeField(null=True, blank=True)
    shortlisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-vote_count", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on brief {self.brief_id}"

    @property
    def shortlisted(self) -> bool:
        return self.shortlisted_at is not None


class MessageRevision(models.Model):
    """A message's text as one person left it: number 1 is the message as proposed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_staff = models.BooleanField(default=False, help_text="A staff edit: it changes the text, not the credit")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="message_revision_number_once")]

    def __str__(self) -> str:
        return f"message {self.message_id} r{self.number}"


class MessageCoAuthor(models.Model):
    """A member the author credits with a share (percent) of the message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="coauthors")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    share = models.DecimalField(max_digits=5, decimal_places=2)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "member"], name="message_coauthor_once")]

    def __str__(self) -> str:
        return f"{self.member_id} on message {self.message_id} ({self.share}%)"


class MessageVote(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "member"], name="message_vote_once")]

    def __str__(self) -> str:
        return f"{self.member_id} for message {self.message_id}"


class MessageComment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on message {self.message_id}"


class Allocation(models.TextChoices):
    """How members are given an arm."""

    RANDOM = "random", _("At random, evenly")
    THOMPSON = "thompson", _("Adaptive (Thompson sampling)")


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", _("Not started")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class Experiment(models.Model):
    """Messages shown in channels to a segment, each member given one arm, to see which converts best."""

    name = models.CharField(_("name"), max_length=160)
    segment = models.ForeignKey(
        "community.Segment", null=True, blank=True, on_delete=models.PROTECT, related_name="message_experiments"
    )
    allocation = models.CharField(max_length=16, choices=Allocation.choices, default=Allocation.RANDOM)
    status = models.CharField(max_length=16, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    mail_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="Staff asked for the email arms to be sent; batches go out from then on"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"


class Arm(models.Model):
    """One message in one channel, within an experiment."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="arms")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="arms")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "message", "channel"], name="arm_once_per_experiment")
        ]

    def __str__(self) -> str:
        return f"arm {self.pk}: message {self.message_id} in {self.channel_id}"


class Assignment(models.Model):
    """The one arm a member is given in an experiment, and whether they saw it and acted on it."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="assignments")
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    mailed_at = models.DateTimeField(null=True, blank=True, help_text="Its email was queued (email arms only)")
    exposed_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    conversion = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            # A member never sees two arms of the same experiment, whatever runs at the same time.
            models.UniqueConstraint(fields=["experiment", "member"], name="one_arm_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in experiment {self.experiment_id}: arm {self.arm_id}"
