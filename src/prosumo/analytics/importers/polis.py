"""Turn a Pol.is open-data export into a community dataset.

A Pol.is conversation has the shape of an idea community: participants write short
statements, vote on each other's (agree / disagree / pass) and moderators accept or
reject what was written. The export (``compdemocracy/openData``) is a folder with

* ``comments.csv``: timestamp (ms), datetime, comment-id, author-id, agrees,
  disagrees, moderated (1 accepted, -1 rejected, 0 not reviewed), comment-body;
* ``votes.csv``: timestamp (ms), datetime, comment-id, voter-id, vote (1 / -1 / 0);
* ``participants-votes.csv`` (optional): participant, group-id, ... Pol.is's own
  opinion group per participant;
* ``summary.csv`` (optional): key,value lines (topic, url, ...).

Mapping onto the contract (``docs/dataset.md``):

* every participant who voted or wrote becomes a member; ``joined_at`` is their first
  vote or statement; Pol.is's opinion group is kept in ``attributes`` as
  ``{"polis_group_id": g}``;
* the conversation becomes one campaign (voting mode ``updown``);
* statements become ideas: moderated 1 -> ``accepted``, -1 -> ``declined``,
  0 -> ``open``; the author is the submitting member;
* events: ``member.joined`` at ``joined_at``, ``idea.submitted`` at the statement's
  time, ``idea.supported`` per vote with value +1 / -1 / 0 and its real time, object
  = the idea, target = its author.

The export has no moderation times, so no ``idea_stages`` table is written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prosumo.analytics.dataset import write_dataset

__all__ = [
    "POLIS_ATTRIBUTION",
    "POLIS_CHANGES",
    "POLIS_LICENCE_URL",
    "PolisFormatError",
    "import_polis",
    "polis_meta",
    "write_polis_dataset",
]

POLIS_ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is "
    "sub-licensed under CC BY 4.0 with Attribution to The Computational Democracy Project."
)
POLIS_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
POLIS_CHANGES = (
    "Changes: converted by Prosumo's Pol.is importer into a community dataset (participants as "
    "members, statements as ideas, votes as support events; a participant's repeated votes kept as events)."
)
_CASE_STUDY = re.compile(r"https?://(?:www\.)?compdemocracy\.org/case-studies/[\w./-]*[\w/]")
_STATUS = {1: "accepted", -1: "declined", 0: "open"}
_COMMENT_COLUMNS = ("timestamp", "comment-id", "author-id", "moderated", "comment-body")
_VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
_TITLE_LENGTH = 80


class PolisFormatError(ValueError):
    """A Pol.is export that cannot be read; the message names the file and the row."""


def _read(folder: Path, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    path = folder / name
    if not path.exists():
        raise PolisFormatError(f"{path}: missing file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise PolisFormatError(f"{path}: cannot be read as CSV: {exc}") from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise PolisFormatError(f"{path}: missing column {', '.join(missing)}")
    return frame


def _integers(frame: pd.DataFrame, column: str, path: Path, allowed: tuple[int, ...] = ()) -> np.ndarray:
    """Parse a column of integers; name the first bad row (1-based data row)."""
    text = frame[column].str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    bad = numbers.isna() | (numbers != numbers.round())
    if allowed:
        bad |= ~numbers.isin(allowed)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        expected = f"one of {', '.join(map(str, allowed))}" if allowed else "an integer"
        raise PolisFormatError(
            f"{path}: row {row + 1}, column {column}: {frame[column].iloc[row]!r} is not {expected}"
            + (f" ({int(bad.sum()) - 1} more such rows)" if bad.sum() > 1 else "")
        )
    ids: np.ndarray = numbers.to_numpy(dtype=np.int64)
    return ids


def _times(ms: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(ms, unit="ms", utc=True)).astype("datetime64[us, UTC]")


def _summary(folder: Path) -> dict[str, str]:
    path = folder / "summary.csv"
    if not path.exists():
        return {}
    frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    if frame.shape[1] < 2:
        return {}
    return dict(zip(frame[0], frame[1], strict=True))


def _groups(folder: Path) -> pd.Series:
    """Pol.is's own opinion group per participant (empty when the file is absent)."""
    path = folder / "participants-votes.csv"
    if not path.exists():
        return pd.Series(dtype="Int64")
    frame = _read(folder, "participants-votes.csv", ("participant", "group-id"))
    ids = _integers(frame, "participant", path)
    groups = pd.to_numeric(frame["group-id"].str.strip().replace("", None), errors="coerce")
    return pd.Series(groups.to_numpy(), index=ids).dropna().astype("int64")


def import_polis(folder: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read a Pol.is export folder into contract tables (members, campaigns, ideas, events).

    Raises
    ------
    PolisFormatError
        For a missing file or column, a non-numeric id, timestamp or vote, a vote
        outside 1/-1/0, a moderation flag outside 1/-1/0, a duplicate comment id, or a
        vote for a comment that is not in ``comments.csv`` — naming the file and row.
    """
    src = Path(folder)
    if not src.is_dir():
        raise PolisFormatError(f"{src}: not a folder")
    comments = _read(src, "comments.csv", _COMMENT_COLUMNS)
    votes = _read(src, "votes.csv", _VOTE_COLUMNS)
    cpath, vpath = src / "comments.csv", src / "votes.csv"

    comment_id = _integers(comments, "comment-id", cpath)
    author_id = _integers(comments, "author-id", cpath)
    comment_ms = _integers(comments, "timestamp", cpath)
    moderated = _integers(comments, "moderated", cpath, allowed=(1, -1, 0))
    dup = pd.Series(comment_id).duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise PolisFormatError(f"{cpath}: row {row + 1}, column comment-id: duplicate id {comment_id[row]}")

    vote_comment = _integers(votes, "comment-id", vpath)
    voter_id = _integers(votes, "voter-id", vpath)
    vote_ms = _integers(votes, "timestamp", vpath)
    vote = _integers(votes, "vote", vpath, allowed=(1, -1, 0))
    unknown = ~np.isin(vote_comment, comment_id)
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise PolisFormatError(
            f"{vpath}: row {row + 1}, column comment-id: vote for unknown comment {vote_comment[row]}"
            + (f" ({int(unknown.sum()) - 1} more such rows)" if unknown.sum() > 1 else "")
        )

    summary = _summary(src)
    groups = _groups(src)

    # members: first vote or statement
    firsts = (
        pd.DataFrame(
            {
                "member_id": np.concatenate([voter_id, author_id]),
                "ms": np.concatenate([vote_ms, comment_ms]),
            }
        )
        .groupby("member_id", sort=True)["ms"]
        .min()
    )
    member_ids = firsts.index.to_numpy(dtype=np.int64)
    group_of = groups.reindex(member_ids)
    attributes = np.where(
        group_of.notna().to_numpy(),
        '{"polis_group_id": ' + group_of.fillna(-1).astype("int64").astype(str) + "}",
        None,
    )
    members = pd.DataFrame(
        {
            "member_id": member_ids,
            "joined_at": _times(firsts.to_numpy()),
            "segment": pd.Series([None] * len(member_ids), dtype="string"),
            "country": pd.Series([None] * len(member_ids), dtype="string"),
            "channel": pd.Series(["polis"] * len(member_ids), dtype="string"),
            "referred_by": pd.Series([None] * len(member_ids), dtype="Int64"),
            "is_staff": np.zeros(len(member_ids), dtype=bool),
            "attributes": pd.Series(attributes, dtype="string"),
        }
    )

    all_ms = np.concatenate([vote_ms, comment_ms])
    campaigns = pd.DataFrame(
        {
            "campaign_id": [1],
            "title": [summary.get("topic") or src.name],
            "starts_at": _times(np.array([all_ms.min()])),
            "ends_at": _times(np.array([all_ms.max()])),
            "voting_mode": ["updown"],
        }
    )

    body = comments["comment-body"].astype("string")
    title = body.str.replace(r"\s+", " ", regex=True).str.strip()
    title = title.where(title.str.len() <= _TITLE_LENGTH, title.str.slice(0, _TITLE_LENGTH - 1) + "…")
    ideas = pd.DataFrame(
        {
            "idea_id": comment_id,
            "campaign_id": np.ones(len(comment_id), dtype=np.int64),
            "author_id": author_id,
            "created_at": _times(comment_ms),
            "status": pd.Series(moderated).map(_STATUS).astype("string"),
            "title": title,
            "body": body,
            "language": pd.Series([None] * len(comment_id), dtype="string"),
            "merged_into": pd.Series([None] * len(comment_id), dtype="Int64"),
        }
    ).sort_values("idea_id", ignore_index=True)

    author_of = pd.Series(author_id, index=comment_id)
    n_m, n_c, n_v = len(member_ids), len(comment_id), len(vote)
    events = pd.DataFrame(
        {
            "occurred_at": np.concatenate([firsts.to_numpy(), comment_ms, vote_ms]),
            "order": np.concatenate([np.zeros(n_m), np.ones(n_c), np.full(n_v, 2)]).astype(np.int8),
            "actor_id": np.concatenate([member_ids, author_id, voter_id]),
            "verb": np.concatenate(
                [
                    np.full(n_m, "member.joined", dtype=object),
                    np.full(n_c, "idea.submitted", dtype=object),
                    np.full(n_v, "idea.supported", dtype=object),
                ]
            ),
            "object_type": np.concatenate([np.full(n_m, None, dtype=object), np.full(n_c + n_v, "idea", dtype=object)]),
            "object_id": pd.array(
                np.concatenate([np.zeros(n_m, dtype=np.int64), comment_id, vote_comment]),
                dtype="Int64",
            ),
            "target_member_id": pd.array(
                np.concatenate([np.zeros(n_m + n_c, dtype=np.int64), author_of.reindex(vote_comment).to_numpy()]),
                dtype="Int64",
            ),
            "value": np.concatenate([np.full(n_m + n_c, np.nan), vote.astype(np.float64)]),
            "channel": np.concatenate([np.full(n_m, "polis", dtype=object), np.full(n_c + n_v, None)]),
        }
    )
    events.loc[: n_m - 1, "object_id"] = pd.NA
    events.loc[: n_m + n_c - 1, "target_member_id"] = pd.NA
    events = events.sort_values(["occurred_at", "order"], kind="stable", ignore_index=True)
    events = pd.DataFrame(
        {
            "event_id": np.arange(1, len(events) + 1, dtype=np.int64),
            "occurred_at": _times(events["occurred_at"].to_numpy()),
            "actor_id": pd.array(events["actor_id"].to_numpy(), dtype="Int64"),
            "verb": events["verb"].astype("string"),
            "object_type": events["object_type"].astype("string"),
            "object_id": events["object_id"],
            "target_member_id": events["target_member_id"],
            "campaign_id": pd.array(np.ones(len(events), dtype=np.int64), dtype="Int64"),
            "channel": events["channel"].astype("string"),
            "value": events["value"],
            "details": pd.Series([None] * len(events), dtype="string"),
        }
    )
    return {"members": members, "campaigns": campaigns, "ideas": ideas, "events": events}


def _case_study(src: Path, summary: dict[str, str]) -> str | None:
    """The link to the conversation's case study, where the export gives one.

    Looked for in ``summary.csv`` (any value), then in a ``README.md`` or
    ``PROVENANCE.md`` inside the export's folder (any case-study link there is this
    conversation's), then in a ``PROVENANCE.md`` beside it that lists several
    conversations (the line whose words match the folder's name).
    """
    for value in summary.values():
        found = _CASE_STUDY.search(value)
        if found:
            return found.group(0)
    for name in ("README.md", "PROVENANCE.md"):
        path = src / name
        if path.exists():
            found = _CASE_STUDY.search(path.read_text(encoding="utf-8"))
            if found:
                return found.group(0)
    words = [w for w in re.split(r"[-._ ]+", src.name.lower()) if w]
    provenance = src.parent / "PROVENANCE.md"
    if words and provenance.exists():
        for line in provenance.read_text(encoding="utf-8").splitlines():
            found = _CASE_STUDY.search(line)
            if found and all(w in found.group(0).lower() for w in words):
                return found.group(0)
    return None


def polis_meta(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """``dataset.json`` content for a Pol.is export: name, source, licence, attribution.

    The attribution is what CC BY 4.0 asks of a copy or a derived work: the creator's
    attribution statement, the link to the conversation and to its case study where the
    export gives one, the licence's name and link, and a note of the changes made.
    """
    src = Path(folder)
    summary = _summary(src)
    case_study = _case_study(src, summary)
    url = summary.get("url")
    attribution = POLIS_ATTRIBUTION
    if case_study:
        attribution += f" The data and more information about how the data was collected: {case_study} ."
    if url:
        attribution += f" Conversation: {url} ."
    attribution += f" Licence: CC BY 4.0, {POLIS_LICENCE_URL} . {POLIS_CHANGES}"
    return {
        "name": src.name,
        "source": f"Pol.is open data export ({url or src.name}); compdemocracy/openData",
        "licence": "CC BY 4.0",
        "licence_url": POLIS_LICENCE_URL,
        "case_study": case_study,
        "changes": POLIS_CHANGES,
        "attribution": attribution,
        "topic": summary.get("topic"),
        "importer": "prosumo.analytics.importers.polis",
    }


def write_polis_dataset(folder: str | os.PathLike[str], dataset: str | os.PathLike[str]) -> Path:
    """Import a Pol.is export and write it as a community dataset folder."""
    tables = import_polis(folder)
    return write_dataset(tables, dataset, polis_meta(folder))
