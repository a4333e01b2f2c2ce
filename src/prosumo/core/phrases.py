"""Sentences the site writes itself, kept as a key and values and worded in the reader's language.

A notification is read in the recipient's language, and an automatic stage message
by every visitor in theirs, so neither is stored as finished text: the record keeps
a *phrase* (``{"key": ..., "values": {...}}``) and the page, the email or the API
puts it into words with the language active there. The English text is stored
beside it for the admin, search and any reader without the phrase.

Values named in ``TRANSLATED_VALUES`` are themselves messages of the catalogue (a
stage's default label) and are translated too; a campaign's own stage label is not
in the catalogue and stays as its staff wrote it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop, override

PHRASES: dict[str, str] = {
    "idea.stage_changed": gettext_noop("“{idea}” is now: {stage}"),
    "idea.merged": gettext_noop("Your support for “{source}” now counts for “{target}”"),
    "idea.merged.body": gettext_noop(
        "The two ideas were merged. If you would rather not support the merged idea, you can withdraw your support."
    ),
    "idea.revised": gettext_noop("“{idea}” has a new revision"),
    # A staff member's decline: their own message, then the reason chosen from the list.
    "idea.declined.body": gettext_noop("{message}\n\nReason: {reason}"),
    "idea.coauthor_invited": gettext_noop("{name} invites you to co-author “{idea}”"),
    "idea.coauthor_added": gettext_noop("{name} is now a co-author of “{idea}”"),
    "comment.posted": gettext_noop("{name} commented on “{idea}”"),
    "royalty.paid": gettext_noop("You were paid {amount} {currency} in royalties for “{idea}”"),
    # The same, once the member who acted has erased their account (prosumo.privacy).
    "idea.coauthor_invited.former_member": gettext_noop("A former member invited you to co-author “{idea}”"),
    "idea.coauthor_added.former_member": gettext_noop("A former member is now a co-author of “{idea}”"),
    "comment.posted.former_member": gettext_noop("A former member commented on “{idea}”"),
    # Amendments (ideas.services.amendments): the author is told of a proposal, the amender of a decision.
    "idea.amendment_proposed": gettext_noop("{name} proposes a change to “{idea}”"),
    "idea.amendment_updated": gettext_noop("{name} updated their proposed change to “{idea}”"),
    "idea.amendment_accepted": gettext_noop("Your change to “{idea}” was accepted: you are now a co-author"),
    "idea.amendment_rejected": gettext_noop("Your proposed change to “{idea}” was not taken"),
    "idea.amendment_changes_requested": gettext_noop("The author of “{idea}” asks for changes to your amendment"),
    "idea.amendment_proposed.former_member": gettext_noop("A former member proposes a change to “{idea}”"),
    "idea.amendment_updated.former_member": gettext_noop("A former member updated their proposed change to “{idea}”"),
    "idea.answer_due": gettext_noop("“{idea}” is waiting for a staff answer, due on {due}"),
    # Surveys (prosumo.surveys): `survey` is a shipped template's title, itself a catalogue message.
    "survey.opened": gettext_noop("A short survey for you: “{survey}”"),
    "survey.opened.body": gettext_noop(
        "It takes two minutes. You can answer, and change your answers, until {closes}."
    ),
    # Staff invite members to take part (the Insights invitation ranking's "Invite these members").
    "member.invited_to_campaign": gettext_noop("{name} invites you to take part in “{campaign}”"),
    "member.invited_to_take_part": gettext_noop("{name} invites you to share your ideas in our campaigns"),
    "stage.threshold_reached": gettext_noop("This idea reached {threshold} supporters and goes to review."),
    "stage.gate_missed": gettext_noop(
        "This idea needed {supporters} supporters within {days} days and had {had}. "
        "Thank you to everyone who supported it."
    ),
}
TRANSLATED_VALUES = frozenset({"stage", "survey"})


def phrase(key: str, **values: Any) -> dict[str, Any]:
    """A phrase to store; raises KeyError for an unknown key or a value the sentence lacks."""
    PHRASES[key].format(**values)  # every placeholder has its value
    return {"key": key, "values": values}


def words(stored: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The phrase in the active language; `fallback` when there is none or it cannot be worded."""
    if not stored or stored.get("key") not in PHRASES:
        return fallback
    values = {
        name: gettext(value) if name in TRANSLATED_VALUES and isinstance(value, str) and value else value
        for name, value in dict(stored.get("values") or {}).items()
    }
    try:
        return gettext(PHRASES[stored["key"]]).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that names a placeholder the phrase lacks
        with override(None):
            return PHRASES[stored["key"]].format(**values)


def english(stored: Mapping[str, Any]) -> str:
    """The phrase as the catalogue's source text (stored beside the phrase)."""
    with override(None):
        return words(stored)


def source_text(message: Any) -> str:
    """A lazily translated label in its source language, whatever language is active now."""
    with override(None):
        return str(message)
