"""Forms for the pages; services do the real validation, forms shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.community.models import EmailPreference, Member
from prosumo.core.errors import ProsumoError
from prosumo.ideas.models import Campaign, DeclineReason, Stage


def apply_error(form: forms.Form, exc: ProsumoError) -> None:
    """Show a service error on the form: field errors beside fields, the rest on top."""
    placed = False
    for name, messages in exc.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Describe your idea"), widget=forms.Textarea, help_text=_("Markdown is welcome."))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas"))

    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data.get("tags", "").split(",") if t.strip()]


class RevisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea)
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    builds_on = forms.BooleanField(label=_("This builds on the idea (proposes an improvement)"), required=False)


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    message = forms.CharField(label=_("Message to the contributors"), widget=forms.Textarea(attrs={"rows": 3}))
    reason_id = forms.ModelChoiceField(
        label=_("Reason (when declining)"), queryset=DeclineReason.objects.filter(is_active=True), required=False
    )


class MergeForm(forms.Form):
    target_id = forms.IntegerField(label=_("Merge into idea number"))
    message = forms.CharField(label=_("Message to the contributors"), widget=forms.Textarea(attrs={"rows": 3}))


class FlagForm(forms.Form):
    reason = forms.CharField(label=_("What is wrong?"), max_length=300)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class CoAuthorForm(forms.Form):
    email = forms.EmailField(label=_("Co-author's email"))
    share = forms.DecimalField(label=_("Their share (%)"), min_value=1, max_value=99, decimal_places=2)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Image or PDF"))


class ProfileForm(forms.ModelForm):
    interests_text = forms.CharField(label=_("Interests"), required=False, help_text=_("Separated by commas"))

    class Meta:
        model = Member
        fields = ["display_name", "avatar", "locale", "country", "bio", "email_preference"]
        labels = {"email_preference": _("Email notifications")}
        widgets = {
            "locale": forms.Select(choices=[("en", "English"), ("es", "Español")]),
            "email_preference": forms.RadioSelect(choices=EmailPreference.choices),
        }


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    campaign = forms.ModelChoiceField(
        label=_("Invite to a campaign (optional)"), queryset=Campaign.objects.order_by("-starts_at"), required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Customer CSV"))
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)


class ReviewForm(forms.Form):
    def __init__(self, *args: object, criteria: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in criteria:
            self.fields[name] = forms.TypedChoiceField(
                label=name.capitalize(), choices=[(i, i) for i in range(1, 6)], coerce=int
            )
        self.fields["note"] = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
