"""Forms of the members' pages; services do the real validation, forms shape the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prosumo.community.models import EmailPreference, Member
from prosumo.core.forms import Form, ModelForm


class SuspendForm(Form):
    reason = forms.CharField(label=_("Reason"), required=False)


class ProfileForm(ModelForm):
    # Not the model's field: the service checks the upload (size, type from the bytes) and
    # stores it, so the form never puts an unchecked file on the member.
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text=_("A PNG, JPEG, GIF or WebP image."),
    )
    interests_text = forms.CharField(label=_("Interests"), required=False, help_text=_("Separated by commas"))
    field_order = ["display_name", "avatar"]

    class Meta:
        model = Member
        fields = ["display_name", "locale", "country", "bio", "email_preference", "outreach_email", "open_data_name"]
        labels = {
            "email_preference": _("Email notifications"),
            "outreach_email": _("Email me messages from the community team"),
            "open_data_name": _("Show my name in the community's open data"),
        }
        help_texts = {
            "open_data_name": _(
                "The site may publish its data (ideas, votes, comments) for anyone to download. "
                "Members appear there under a pseudonym, never with their email address; tick this "
                "to have your display name written beside your pseudonym. It applies to the next "
                "version published: one already downloaded cannot be taken back."
            ),
        }
        widgets = {
            "locale": forms.Select(choices=[("en", "English"), ("es", "Español")]),
            "email_preference": forms.RadioSelect(choices=EmailPreference.choices),
        }


class ImportForm(Form):
    file = forms.FileField(label=_("Customer CSV"))
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)
