"""Pseudonyms for members who have not chosen a display name.

A member is shown by their display name. Sign-up proposes a pseudonym, which the member
may keep or change; a member without a display name (made on the command line, or before
display names were asked for) is shown by a pseudonym derived from their id. Nothing here
reads the email address: no part of it is ever shown to other people.
"""

from __future__ import annotations

import hashlib
import secrets

ADJECTIVES = (
    "Amber", "Bold", "Brave", "Bright", "Calm", "Clever", "Cosy", "Curious", "Daring", "Eager",
    "Early", "Fair", "Friendly", "Gentle", "Glad", "Golden", "Green", "Happy", "Honest", "Hopeful",
    "Jolly", "Keen", "Kind", "Lively", "Lucky", "Merry", "Mild", "Nimble", "Patient", "Plucky",
    "Polite", "Proud", "Quick", "Quiet", "Rapid", "Ready", "Rosy", "Sharp", "Silver", "Steady",
    "Sunny", "Swift", "Tidy", "Trusty", "Vivid", "Warm", "Wise", "Witty", "Young", "Zesty",
)  # fmt: skip
NOUNS = (
    "Badger", "Beaver", "Bison", "Crane", "Dolphin", "Eagle", "Falcon", "Ferret", "Finch", "Fox",
    "Gecko", "Hare", "Hawk", "Hedgehog", "Heron", "Ibis", "Jay", "Koala", "Lark", "Lemur",
    "Lynx", "Marten", "Meerkat", "Moose", "Newt", "Otter", "Owl", "Panda", "Pelican", "Puffin",
    "Quail", "Rabbit", "Raven", "Robin", "Salmon", "Seal", "Sparrow", "Squirrel", "Stork", "Swan",
    "Tapir", "Tern", "Thrush", "Tiger", "Toucan", "Turtle", "Walrus", "Wombat", "Wren", "Yak",
)  # fmt: skip
NUMBERS = 9000  # a number from 1000 to 9999 after the two words: 22.5 million pseudonyms


def _compose(value: int) -> str:
    adjective = ADJECTIVES[value % len(ADJECTIVES)]
    value //= len(ADJECTIVES)
    noun = NOUNS[value % len(NOUNS)]
    value //= len(NOUNS)
    return f"{adjective} {noun} {1000 + value % NUMBERS}"


def pseudonym() -> str:
    """A new random pseudonym, e.g. "Quiet Heron 4821"."""
    return _compose(secrets.randbelow(len(ADJECTIVES) * len(NOUNS) * NUMBERS))


def pseudonym_for(member_id: int) -> str:
    """The pseudonym a member without a display name is shown by: always the same for one member."""
    digest = hashlib.sha256(f"prosumo-member-{member_id}".encode()).digest()
    return _compose(int.from_bytes(digest[:8], "big"))
