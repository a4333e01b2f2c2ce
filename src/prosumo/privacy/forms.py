"""The form of the erasure page; the service checks the password."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseForm(forms.Form):
    password = forms.CharField(label=_("Your password"), required=False, widget=forms.PasswordInput, strip=False)
    confirm_email = forms.CharField(label=_("Your email address"), required=False, max_length=254)
    remove_content = forms.BooleanField(
        label=_("Also remove the text of my ideas and comments"),
        required=False,
        help_text=_("Ideas you share with co-authors keep their text: they are theirs too."),
    )

    def __init__(self, *args: object, has_password: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # An account that signs in with another site has no password here: it confirms with its address.
        del self.fields["confirm_email" if has_password else "password"]
