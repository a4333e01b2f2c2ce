"""The event vocabulary is a contract: every verb the platform writes is documented."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VERB = re.compile(r"""verb=(?:"([a-z_]+\.[a-z_]+)"|"([a-z_]+\.[a-z_]+)" if)""")
CONDITIONAL = re.compile(r'"([a-z_]+\.[a-z_]+)" if [^"]+ else "([a-z_]+\.[a-z_]+)"')


def written_verbs() -> set[str]:
    verbs: set[str] = set()
    for path in (ROOT / "src" / "prosumo").rglob("*.py"):
        if "analytics" in path.parts or "synth" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        for line in text.splitlines():
            if "verb=" not in line:
                continue
            verbs.update(v for pair in CONDITIONAL.findall(line) for v in pair)
            verbs.update(v for pair in VERB.findall(line) for v in pair if v)
    return verbs


def test_every_written_verb_is_in_docs_events():
    documented = (ROOT / "docs" / "events.md").read_text()
    verbs = written_verbs()
    assert len(verbs) > 20  # the scan itself works
    missing = sorted(v for v in verbs if f"`{v}`" not in documented)
    assert missing == [], f"document these verbs in docs/events.md: {missing}"


def test_the_vocabulary_in_code_is_every_written_verb():
    # Webhooks offer the verbs of prosumo.activity.verbs: each one the platform writes, no other.
    from prosumo.activity.verbs import VERBS

    assert len(VERBS) == len(set(VERBS))
    assert sorted(VERBS) == sorted(written_verbs())
