"""Forms of the ideas pages; services do the real validation, forms shape the input."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from prosumo.community.models import Licence, Segment
from prosumo.core.forms import Form, IdField
from prosumo.ideas.models import Campaign, DeclineReason, Stage, Visibility, VotingMode
from prosumo.ideas.services.campaigns import DEFAULT_LANGUAGE, OTHER_LANGUAGES, UNSKIPPABLE

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class IdeaForm(Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Describe your idea"), widget=forms.Textarea, help_text=_("Markdown is welcome."))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))
    # The contribution terms (docs/ip.md): the licence chosen, and the number of the version accepted.
    licence = forms.ChoiceField(label=_("Licence"), choices=[("", ""), *Licence.choices], required=False)
    accept_terms = forms.IntegerField(required=False, min_value=1)

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class RevisionForm(Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea)
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)


class AmendmentForm(Form):
    """A change proposed to someone else's idea; `base_revision` is the revision the member read."""

    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea)
    note = forms.CharField(label=_("Why this change"), required=False, max_length=200)
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AmendmentAcceptForm(Form):
    share = forms.DecimalField(
        label=_("Their share of the idea, in percent"),
        min_value=1,
        max_value=99,
        decimal_places=2,
        initial=5,
        help_text=_("The amender becomes a co-author with this share, unless they are one already."),
    )


class AmendmentRejectForm(Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AmendmentChangesForm(Form):
    message = forms.CharField(label=_("What should change"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    parent_id = IdField(required=False, widget=forms.HiddenInput)
    builds_on = forms.BooleanField(label=_("This builds on the idea (proposes an improvement)"), required=False)
    # The number of the contribution terms version accepted with this comment (docs/ip.md).
    accept_terms = forms.IntegerField(required=False, min_value=1)


class StageForm(Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    message = forms.CharField(label=_("Message to the contributors"), widget=forms.Textarea(attrs={"rows": 3}))
    reason_id = forms.ModelChoiceField(
        label=_("Reason (when declining)"), queryset=DeclineReason.objects.filter(is_active=True), required=False
    )


class MergeForm(Form):
    """The idea to merge into, found by its title or its number (`target`); `target_id` is the number alone."""

    target = forms.CharField(
        label=_("Merge into"),
        required=False,
        max_length=200,
        help_text=_("Type part of its title and pick it, or give its number."),
        widget=forms.TextInput(attrs={"list": "merge-targets", "autocomplete": "off"}),
    )
    target_id = IdField(label=_("Merge into idea number"), required=False, widget=forms.HiddenInput)
    message = forms.CharField(label=_("Message to the contributors"), widget=forms.Textarea(attrs={"rows": 3}))


class FlagForm(Form):
    reason = forms.CharField(label=_("What is wrong?"), max_length=300)


class ModerationForm(Form):
    """What the report and hide/restore buttons post: a comment's id, or none for the idea of the page."""

    kind = forms.ChoiceField(choices=[("idea", "idea"), ("comment", "comment")], required=False)
    object_id = IdField(label=_("Number"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CommentEditForm(Form):
    body = forms.CharField(label=_("Comment"), required=False)


class StageMoveForm(Form):
    """What the stage buttons post; the stage service checks the move, the message and the reason."""

    to_stage = forms.CharField(required=False)
    message = forms.CharField(label=_("Message to the contributors"), required=False)
    reason_id = IdField(label=_("Reason (when declining)"), required=False)


class IdeaListForm(Form):
    """The filters of a campaign's idea list (query string); the selector checks their values."""

    order = forms.CharField(required=False)
    stage = forms.CharField(required=False)
    tag = forms.CharField(required=False)
    q = forms.CharField(required=False)
    page = forms.CharField(required=False)


class SearchForm(Form):
    """The header's search across campaigns (query string)."""

    q = forms.CharField(required=False, max_length=200, label=_("Search"))
    page = forms.CharField(required=False)


class SimilarForm(Form):
    """What the submit form sends while a member types, to find similar ideas."""

    title = forms.CharField(required=False)
    body = forms.CharField(required=False)
    campaign = IdField(required=False)


class CoAuthorForm(Form):
    email = forms.EmailField(
        label=_("Co-author's email"),
        help_text=_("Someone without an account yet gets an email inviting them to join and co-author."),
    )
    share = forms.DecimalField(label=_("Their share (%)"), min_value=1, max_value=99, decimal_places=2)


class AttachmentForm(Form):
    file = forms.FileField(label=_("Image or PDF"))


class InviteForm(Form):
    # `email` keeps its name (one address is still a list of addresses); the service checks each
    email = forms.CharField(
        label=_("Email addresses"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or several, separated by commas, spaces or lines."),
    )
    note = forms.CharField(
        label=_("A note from you (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It goes into the email as you write it."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Invite to a campaign (optional)"), queryset=Campaign.objects.order_by("-starts_at"), required=False
    )


class MembersInviteForm(Form):
    """Members chosen elsewhere (the Insights invitation ranking), each ticked, invited with a personal note."""

    member = forms.MultipleChoiceField(label=_("Members"), widget=forms.CheckboxSelectMultiple)
    campaign = forms.ModelChoiceField(
        label=_("To a campaign (optional)"), queryset=Campaign.objects.order_by("-starts_at"), required=False
    )
    note = forms.CharField(
        label=_("Personal note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent with the invitation, as you write it."),
    )

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(pk), name) for pk, name in members]  # type: ignore[attr-defined]


class ReviewForm(Form):
    def __init__(self, *args: object, criteria: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in criteria:
            # No score is chosen until the reviewer chooses one: an untouched form records nothing.
            self.fields[name] = forms.TypedChoiceField(
                label=name.capitalize(), choices=[("", "—"), *[(i, i) for i in range(1, 6)]], coerce=int
            )
        self.fields["note"] = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def missing(self) -> list[str]:
        """The labels of the criteria left without a score."""
        return [str(field.label) for name, field in self.fields.items() if name != "note" and not self.data.get(name)]


# Words a gate line may carry around its two numbers: "100 supporters in 60 days", "100 apoyos en 60 días".
GATE_WORDS = {
    "supporter",
    "supporters",
    "in",
    "within",
    "day",
    "days",
    "then",
    "apoyo",
    "apoyos",
    "en",
    "día",
    "días",
    "dia",
    "dias",
    "luego",
}
THOUSANDS = re.compile(r"(?<=[0-9])[,.](?=[0-9]{3}(?![0-9]))")
CRITERION_MAX = 60
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def parse_gates(text: str) -> list[dict[str, int]]:
    """Read support gates written one per line as two whole numbers, supporters then days.

    The lines ``100 60`` and ``1000 365`` (or ``100 supporters in 60 days``, ``1,000 in 365``) give
    ``[{"supporters": 100, "days": 60}, {"supporters": 1000, "days": 365}]``: LEGO Ideas' first
    two gates, 100 supporters within 60 days, then 1,000 within a year (shared/METRICS.md, task 5).
    Blank lines are skipped; whether the gates rise is the campaign service's rule, not the parser's.

    Raises
    ------
    forms.ValidationError
        naming the first line that is not two whole numbers.
    """
    gates = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        tokens = [
            t for t in re.split(r"[\s,;/]+", THOUSANDS.sub("", line.strip().lower())) if t and t not in GATE_WORDS
        ]
        if len(tokens) != 2 or not all(re.fullmatch(r"[0-9]{1,9}", t) for t in tokens):
            raise forms.ValidationError(
                gettext(
                    "Line {number} (“{line}”) is not two whole numbers: the supporters, then the days, e.g. “100 60”."
                ).format(number=number, line=line.strip()[:40])
            )
        gates.append({"supporters": int(tokens[0]), "days": int(tokens[1])})
    return gates


def format_gates(gates: list[dict[str, int]]) -> str:
    return "\n".join(f"{g['supporters']} {g['days']}" for g in gates)


def _datetime_local() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class CampaignForm(Form):
    """The staff form for one campaign; ``service_fields`` gives the keyword arguments of the campaign services.

    Text rules (a title, a brief, dates in order, rising gates, a segment for a segment
    campaign, the cover's size and type) are checked by the services, so the page and the
    API give the same messages; the form only turns text into values.
    """

    title = forms.CharField(
        label=_("Title"), max_length=160, required=False, widget=forms.TextInput(attrs={"required": True})
    )
    brief = forms.CharField(
        label=_("Brief"),
        required=False,
        help_text=_("What you ask the community for. Markdown is welcome."),
        widget=forms.Textarea(
            attrs={
                "required": True,
                "rows": 8,
                "hx-post": reverse_lazy("staff_campaign_preview"),
                "hx-trigger": "input changed delay:500ms, load",
                "hx-target": "#brief-preview",
                "hx-params": "brief",
            }
        ),
    )
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, shown at the top of the campaign page."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_local(), help_text=_("Time in UTC."))
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        widget=_datetime_local(),
        help_text=_("Leave empty for a campaign that stays open."),
    )
    is_published = forms.BooleanField(
        label=_("Published"),
        required=False,
        initial=True,
        help_text=_("An unpublished campaign is a draft only staff see."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"), choices=Visibility.choices, initial=Visibility.PUBLIC, widget=forms.RadioSelect
    )
    segment_id = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=Segment.objects.order_by("name"),
        required=False,
        help_text=_("Only for a segment-only campaign."),
    )
    voting_mode = forms.ChoiceField(
        label=_("Voting mode"), choices=VotingMode.choices, initial=VotingMode.SUPPORT, widget=forms.RadioSelect
    )
    support_threshold = forms.IntegerField(
        label=_("Support threshold"),
        min_value=0,
        initial=0,
        help_text=_("Supporters that move an idea to review; 0 for none."),
    )
    support_gates = forms.CharField(
        label=_("Support gates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "100 60\n1000 365"}),
        help_text=_(
            "One gate per line: the supporters an idea needs, then the days it has to reach them, "
            "counted from submission. “100 60” then “1000 365”: 100 supporters in 60 days, then 1,000 in a year."
        ),
    )
    answer_days = forms.IntegerField(
        label=_("Answer within (days)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Days staff have to answer a new idea; staff are reminded a day before. Empty for no deadline."),
    )
    scorecard_criteria = forms.CharField(
        label=_("Scorecard criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "desirability\nfeasibility\nviability"}),
        help_text=_("One per line; reviewers score each from 1 to 5. Empty: desirability, feasibility, viability."),
    )
    skipped_stages = forms.MultipleChoiceField(
        label=_("Stages this campaign skips"),
        required=False,
        choices=[(s.value, s.label) for s in Stage if s not in UNSKIPPABLE],
        widget=forms.CheckboxSelectMultiple,
    )
    premoderation = forms.BooleanField(
        label=_("Premoderation"),
        required=False,
        help_text=_("New ideas wait in 'submitted' until staff open them for support."),
    )

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None:
            kwargs["initial"] = {**self.initial_for(campaign), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        default_name = LANGUAGE_NAMES[DEFAULT_LANGUAGE]
        self.fields["title"].label = pgettext("in a language", "Title ({language})").format(language=default_name)
        self.fields["brief"].label = pgettext("in a language", "Brief ({language})").format(language=default_name)
        for code in OTHER_LANGUAGES:
            language = LANGUAGE_NAMES[code]
            self.fields[f"title_{code}"] = forms.CharField(
                label=pgettext("in a language", "Title ({language})").format(language=language),
                max_length=160,
                required=False,
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"brief_{code}"] = forms.CharField(
                label=pgettext("in a language", "Brief ({language})").format(language=language),
                required=False,
                help_text=_("Empty: readers of this language see the brief in {language}.").format(
                    language=default_name
                ),
                widget=forms.Textarea(attrs={"rows": 6, "lang": code}),
            )
        for stage in Stage:
            for code in (DEFAULT_LANGUAGE, *OTHER_LANGUAGES):
                suffix = "" if code == DEFAULT_LANGUAGE else f"_{code}"
                self.fields[f"label_{stage.value}{suffix}"] = forms.CharField(
                    label=f"{stage.label} ({LANGUAGE_NAMES[code]})",
                    required=False,
                    max_length=60,
                    widget=forms.TextInput(attrs={"placeholder": stage.label, "lang": code}),
                )

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": campaign.title,
            "brief": campaign.brief,
            "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at,
            "is_published": campaign.is_published,
            "visibility": campaign.visibility,
            "segment_id": campaign.segment_id,
            "voting_mode": campaign.voting_mode,
            "support_threshold": campaign.support_threshold,
            "support_gates": format_gates(campaign.support_gates),
            "answer_days": campaign.answer_days,
            "scorecard_criteria": "\n".join(campaign.scorecard_criteria),
            "skipped_stages": list(campaign.skipped_stages),
            "premoderation": campaign.premoderation,
        }
        # Each language's own text, never the fallback that campaign.title would give.
        initial["title"] = getattr(campaign, f"title_{DEFAULT_LANGUAGE}") or ""
        initial["brief"] = getattr(campaign, f"brief_{DEFAULT_LANGUAGE}") or ""
        for code in (DEFAULT_LANGUAGE, *OTHER_LANGUAGES):
            suffix = "" if code == DEFAULT_LANGUAGE else f"_{code}"
            if code != DEFAULT_LANGUAGE:
                initial[f"title_{code}"] = getattr(campaign, f"title_{code}") or ""
                initial[f"brief_{code}"] = getattr(campaign, f"brief_{code}") or ""
            for stage, label in (getattr(campaign, f"stage_labels_{code}") or {}).items():
                initial[f"label_{stage}{suffix}"] = label
        return initial

    def other_languages(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(language name, title field, brief field) for each language besides the site's default."""
        return [(str(LANGUAGE_NAMES[code]), self[f"title_{code}"], self[f"brief_{code}"]) for code in OTHER_LANGUAGES]

    def label_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Each stage with its name field in every language, the default language first."""
        return [
            (
                str(stage.label),
                [self[f"label_{stage.value}"], *(self[f"label_{stage.value}_{code}"] for code in OTHER_LANGUAGES)],
            )
            for stage in Stage
        ]

    def clean_support_gates(self) -> list[dict[str, int]]:
        return parse_gates(self.cleaned_data.get("support_gates", ""))

    def clean_scorecard_criteria(self) -> list[str]:
        criteria: list[str] = []
        for line in self.cleaned_data.get("scorecard_criteria", "").splitlines():
            name = line.strip()
            if not name:
                continue
            if len(name) > CRITERION_MAX:
                raise forms.ValidationError(
                    gettext("A criterion has at most {limit} characters: “{name}…”.").format(
                        limit=CRITERION_MAX, name=name[:20]
                    )
                )
            if name.casefold() in (c.casefold() for c in criteria):
                raise forms.ValidationError(gettext("“{name}” is listed twice.").format(name=name))
            criteria.append(name)
        return criteria

    def service_fields(self) -> dict[str, Any]:
        """The cleaned form as keyword arguments of ``campaign_create`` / ``campaign_update``."""
        data = self.cleaned_data
        segment = data.get("segment_id")
        fields: dict[str, Any] = {
            "title": data["title"].strip(),
            "brief": data["brief"].strip(),
            "starts_at": data["starts_at"],
            "ends_at": data.get("ends_at"),
            "is_published": data["is_published"],
            "visibility": data["visibility"],
            "segment_id": segment.pk if segment is not None and data["visibility"] == Visibility.SEGMENT else None,
            "voting_mode": data["voting_mode"],
            "support_threshold": data["support_threshold"],
            "support_gates": data["support_gates"],
            "answer_days": data.get("answer_days"),
            "scorecard_criteria": data["scorecard_criteria"],
            "stage_labels": {
                s.value: data[f"label_{s.value}"].strip() for s in Stage if data.get(f"label_{s.value}", "").strip()
            },
            **{
                f"stage_labels_{code}": {
                    s.value: data[f"label_{s.value}_{code}"].strip()
                    for s in Stage
                    if data.get(f"label_{s.value}_{code}", "").strip()
                }
                for code in OTHER_LANGUAGES
            },
            **{f"title_{code}": data.get(f"title_{code}", "").strip() for code in OTHER_LANGUAGES},
            **{f"brief_{code}": data.get(f"brief_{code}", "").strip() for code in OTHER_LANGUAGES},
            "skipped_stages": [s.value for s in Stage if s.value in data["skipped_stages"]],
            "premoderation": data["premoderation"],
        }
        cover = data.get("cover")
        if isinstance(cover, UploadedFile):
            fields["cover"] = cover
        elif cover is False:  # the "clear" box of the file input
            fields["cover"] = ""
        return fields

    def changes(self) -> dict[str, Any]:
        """Only the fields that differ from the campaign being edited, so its event names what changed.

        The page shows times to the minute, so a stored time with seconds counts as unchanged.
        A new start brings the stored end along, and a new visibility its segment, because the
        service checks each pair only with both in hand.
        """
        assert self.campaign is not None, "changes() compares with a campaign"
        current = self.campaign
        fields = self.service_fields()
        changed = set()
        for name, value in fields.items():
            # A translated field is compared with its own language's column, not the fallback.
            column = f"{name}_{DEFAULT_LANGUAGE}" if name in ("title", "brief", "stage_labels") else name
            stored = getattr(current, column)
            if column.startswith(("title_", "brief_")):
                stored = stored or ""
            elif column.startswith("stage_labels_"):
                stored = stored or {}
            if name == "cover":
                same = not value and not stored
            elif name in ("starts_at", "ends_at"):
                same = (stored.replace(second=0, microsecond=0) if stored else None) == value
            elif name == "skipped_stages":
                same = set(stored) == set(value)
            else:
                same = stored == value
            if not same:
                changed.add(name)
        result = {name: value for name, value in fields.items() if name in changed}
        for name, partner in (("starts_at", "ends_at"), ("visibility", "segment_id")):
            if name in result and partner not in result:
                result[partner] = getattr(current, partner)
        return result
