"""Forms of the outreach pages; services do the real validation, forms shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.community.models import Licence
from prosumo.core.forms import Form
from prosumo.outreach.models import Allocation, ChannelKind, Medium
from prosumo.outreach.services import LANGUAGES


class BriefForm(Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    product = forms.CharField(label=_("Product"), max_length=160)
    segment_id = forms.TypedChoiceField(label=_("Segment"), coerce=int, required=False, empty_value=None)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=ChannelKind.choices, widget=forms.CheckboxSelectMultiple
    )
    tone = forms.CharField(label=_("Tone"), max_length=200, required=False)
    length_min = forms.IntegerField(label=_("Shortest message (characters)"), initial=1, min_value=1)
    length_max = forms.IntegerField(label=_("Longest message (characters)"), initial=280, min_value=1)
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=[(code, code) for code in LANGUAGES], widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, segments: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["segment_id"].choices = [("", _("Every member")), *segments]  # type: ignore[attr-defined]


class MessageForm(Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))
    image = forms.FileField(label=_("An image (optional)"), required=False)
    language = forms.CharField(label=_("Language"), required=False, max_length=8)
    licence = forms.ChoiceField(label=_("Licence"), choices=[("", ""), *Licence.choices], required=False)
    accept_terms = forms.IntegerField(required=False, min_value=1)
    company = forms.BooleanField(label=_("Written by the company"), required=False)


class RevisionForm(Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)
    accept_terms = forms.IntegerField(required=False, min_value=1)


class CommentForm(Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    accept_terms = forms.IntegerField(required=False, min_value=1)


class ChannelForm(Form):
    name = forms.CharField(
        label=_("Name"), max_length=64, help_text=_("As the spend records and members' channels name it")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices)
    medium = forms.ChoiceField(label=_("Medium"), choices=[("", _("As its kind")), *Medium.choices], required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class ExperimentForm(Form):
    """An experiment: each chosen message in each chosen channel is one arm."""

    name = forms.CharField(label=_("Name"), max_length=160)
    message_ids = forms.TypedMultipleChoiceField(
        label=_("Messages"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shortlisted messages and the company's"),
    )
    channel_ids = forms.TypedMultipleChoiceField(
        label=_("Channels"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    segment_id = forms.TypedChoiceField(label=_("Segment"), coerce=int, required=False, empty_value=None)
    allocation = forms.ChoiceField(label=_("Allocation"), choices=Allocation.choices, initial=Allocation.RANDOM)

    def __init__(
        self,
        *args: object,
        messages: list[tuple[int, str]],
        channels: list[tuple[int, str]],
        segments: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["message_ids"].choices = messages  # type: ignore[attr-defined]
        self.fields["channel_ids"].choices = channels  # type: ignore[attr-defined]
        self.fields["segment_id"].choices = [("", _("Every member")), *segments]  # type: ignore[attr-defined]

    def arms(self) -> list[tuple[int, int]]:
        """Each chosen message in each chosen channel."""
        return [(m, c) for m in self.cleaned_data["message_ids"] for c in self.cleaned_data["channel_ids"]]
