"""Turn CONSUL's public data downloads into a community dataset.

A CONSUL site (CONSUL Democracy, the software of Decide Madrid and many other cities)
publishes its public tables as CSV files, one per table, written by its
``API::CSVExporter`` with each model's public columns: ``;`` or ``,`` separated,
UTF-8 or ISO-8859-1, times as ``YYYY-MM-DD HH:MM:SS`` (rounded to the hour). The
importer reads three of them, from a folder or a zip:

* ``proposals.csv``: id, title, description, created_at, and where present summary,
  cached_votes_up, retired_at, retired_reason (duplicated, started, unfeasible, done,
  other) and retired_explanation;
* ``comments.csv``: id, commentable_id, commentable_type, created_at, ancestry
  (the ids of the comments it replies to, ``12/45``);
* ``votes.csv``: votable_id, votable_type, vote_flag (``t`` up, ``f`` down), created_at.

Only proposals and what was said or voted on them are read (debates, budget
investments and votes on comments are other tables' rows and are skipped).

The public files name no author and no voter: CONSUL keeps identities out of its
open data. So the importer invents none. A vote becomes an ``idea.supported`` event
with its real (hour-rounded) time and an empty actor; a comment a ``comment.posted``
event with an empty actor; and the proposals' authors, which the contract needs,
are one member, id 0, whose ``attributes`` say ``{"consul_authors": "not published"}``.
Where a site's download does carry identities (an ``author_id`` column in
``proposals.csv``, ``user_id`` in ``comments.csv``, ``voter_id`` in ``votes.csv``),
they are members and actors, and member 0 is written only for proposals without one.

Stages: a proposal is ``open``; one its author retired moves, at ``retired_at``, to
``merged`` (duplicated), ``in_development`` (started), ``launched`` (done) or
``declined`` (unfeasible, other), with the reason and the author's explanation.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from prosumo.analytics.importers.common import (
    ExportFiles,
    ExportFormatError,
    Importer,
    check_known,
    check_unique,
    details_json,
    event_rows,
    events_table,
    integers,
    members_table,
    short_title,
    times,
)

__all__ = [
    "CONSUL_CHANGES",
    "CONSUL_RETIRED",
    "UNPUBLISHED_AUTHOR",
    "ExportFormatError",
    "consul_meta",
    "import_consul",
    "write_consul_dataset",
]

#: A retired proposal's reason -> the contract's stage.
CONSUL_RETIRED = {
    "duplicated": "merged",
    "started": "in_development",
    "done": "launched",
    "unfeasible": "declined",
    "other": "declined",
    "": "declined",
}
#: The member that stands for the authors a public download does not name.
UNPUBLISHED_AUTHOR = 0
_FLAGS = {"t": 1.0, "true": 1.0, "1": 1.0, "f": -1.0, "false": -1.0, "0": -1.0}
_ENCODINGS = ("utf-8-sig", "iso-8859-1")
CONSUL_CHANGES = (
    "Changes: converted by Prosumo's CONSUL importer into a community dataset (proposals as ideas, "
    "supports and comments on proposals as events without their unpublished authors; debates, "
    "investments and votes on comments left out)."
)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string").str.strip()
    return pd.Series([""] * len(frame), dtype="string", index=frame.index)


def import_consul(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read CONSUL's public data downloads (a folder or zip) into contract tables.

    Raises
    ------
    ExportFormatError
        For a missing file or column, a bad id, time or vote flag, an unknown retired
        reason, a duplicate id, or a vote or comment on a proposal that is not in
        ``proposals.csv``, naming the file, the row and the column.
    """
    files = ExportFiles(path)
    proposals = files.read_csv("proposals.csv", ("id", "title", "description", "created_at"), encodings=_ENCODINGS)
    comments = files.read_csv(
        "comments.csv", ("id", "commentable_id", "commentable_type", "created_at"), encodings=_ENCODINGS
    )
    votes = files.read_csv("votes.csv", ("votable_id", "votable_type", "vote_flag", "created_at"), encodings=_ENCODINGS)
    p, c, v = (files.where(n) for n in ("proposals.csv", "comments.csv", "votes.csv"))

    proposal_id = integers(proposals, "id", p)
    check_unique(proposal_id, p, "id")
    created = times(proposals, "created_at", p)
    author = integers(proposals.assign(author_id=_column(proposals, "author_id")), "author_id", p, nullable=True)
    retired_at = times(proposals.assign(retired_at=_column(proposals, "retired_at")), "retired_at", p, nullable=True)
    reason = _column(proposals, "retired_reason").astype("string").str.strip()
    check_known(reason.where(retired_at.notna()), CONSUL_RETIRED, p, "retired_reason", "unknown retired reason")

    # every row is checked, then only those about proposals are kept: messages name the file's rows
    on_proposal = (comments["commentable_type"].str.strip() == "Proposal").to_numpy()
    comment_id = integers(comments, "id", c)
    check_unique(comment_id, c, "id")
    commented = integers(comments, "commentable_id", c)
    check_known(commented.where(on_proposal), proposal_id, c, "commentable_id", "comment on unknown proposal")
    comment_at = times(comments, "created_at", c)
    commenter = integers(comments.assign(user_id=_column(comments, "user_id")), "user_id", c, nullable=True)
    parent_text = _column(comments, "ancestry").str.rsplit("/", n=1).str[-1]
    parent = integers(comments.assign(ancestry=parent_text), "ancestry", c, nullable=True)
    comments, comment_id, commented, comment_at, commenter, parent = (
        x[on_proposal].reset_index(drop=True) for x in (comments, comment_id, commented, comment_at, commenter, parent)
    )

    for_proposal = (votes["votable_type"].str.strip() == "Proposal").to_numpy()
    voted = integers(votes, "votable_id", v)
    check_known(voted.where(for_proposal), proposal_id, v, "votable_id", "vote for unknown proposal")
    vote_at = times(votes, "created_at", v)
    flag = votes["vote_flag"].astype("string").str.strip().str.lower()
    check_known(flag, _FLAGS, v, "vote_flag", "unknown vote flag")
    voter = integers(votes.assign(voter_id=_column(votes, "voter_id")), "voter_id", v, nullable=True)
    voted, vote_at, flag, voter = (x[for_proposal].reset_index(drop=True) for x in (voted, vote_at, flag, voter))

    # members: the named authors, commenters and voters; member 0 for unnamed authors
    author = author.fillna(UNPUBLISHED_AUTHOR).astype("Int64")
    firsts = (
        pd.DataFrame(
            {
                "member_id": pd.concat([author, commenter, voter], ignore_index=True),
                "at": pd.concat([created, comment_at, vote_at], ignore_index=True),
            }
        )
        .dropna(subset=["member_id"])
        .groupby("member_id", sort=True)["at"]
        .min()
    )
    member_ids = pd.Series(firsts.index.to_numpy(dtype=np.int64))
    attributes = pd.Series(
        [json.dumps({"consul_authors": "not published"}) if m == UNPUBLISHED_AUTHOR else None for m in member_ids]
    )
    members = members_table(member_ids, pd.Series(firsts.to_numpy()), channel="consul", attributes=attributes)

    every_time = pd.concat([created, comment_at, vote_at])
    campaigns = pd.DataFrame(
        {
            "campaign_id": [1],
            "title": [Path(path).stem],
            "starts_at": pd.Series([every_time.min()]).astype("datetime64[us, UTC]"),
            "ends_at": pd.Series([every_time.max()]).astype("datetime64[us, UTC]"),
            "voting_mode": ["support"],
        }
    )
    retired = retired_at.notna().to_numpy()
    stage = reason.fillna("").map(CONSUL_RETIRED).where(retired, "open")
    title = _column(proposals, "title").astype("string").str.strip()
    ideas = pd.DataFrame(
        {
            "idea_id": proposal_id,
            "campaign_id": pd.array(np.ones(len(proposals), dtype=np.int64), dtype="Int64"),
            "author_id": author,
            "created_at": created,
            "status": stage.astype("string"),
            "title": title.where(title != "", short_title(proposals["description"])),
            "body": proposals["description"].astype("string"),
            "language": pd.Series([None] * len(proposals), dtype="string"),
            "merged_into": pd.Series([None] * len(proposals), dtype="Int64"),
            "supports_count": integers(
                proposals.assign(cached_votes_up=_column(proposals, "cached_votes_up")),
                "cached_votes_up",
                p,
                nullable=True,
            ),
        }
    ).sort_values("idea_id", ignore_index=True)

    explanation = _column(proposals, "retired_explanation").astype("string").str.strip().replace("", pd.NA)
    stages = pd.concat(
        [
            pd.DataFrame({"idea_id": proposal_id, "stage": "submitted", "changed_at": created}),
            pd.DataFrame({"idea_id": proposal_id, "stage": "open", "changed_at": created}),
            pd.DataFrame(
                {
                    "idea_id": proposal_id[retired],
                    "stage": stage[retired],
                    "changed_at": retired_at[retired],
                    "actor_id": author.where(author != UNPUBLISHED_AUTHOR)[retired],
                    "reason": reason[retired].replace("", pd.NA),
                    "message": explanation[retired],
                }
            ),
        ],
        ignore_index=True,
    ).sort_values(["idea_id", "changed_at"], kind="stable", ignore_index=True)
    idea_stages = pd.DataFrame(
        {
            "idea_id": stages["idea_id"].astype("Int64"),
            "stage": stages["stage"].astype("string"),
            "changed_at": stages["changed_at"].astype("datetime64[us, UTC]"),
            "actor_id": stages["actor_id"].astype("Int64"),
            "reason": stages["reason"].astype("string"),
            "message": stages["message"].astype("string"),
        }
    )

    author_of = pd.Series(author.to_numpy(), index=proposal_id.to_numpy())
    commenter_of = pd.Series(commenter.to_numpy(), index=comment_id.to_numpy())
    reply_target = pd.Series(commenter_of.reindex(parent.fillna(-1)).to_numpy())
    post_target = pd.Series(author_of.reindex(commented).to_numpy())
    named = members["member_id"]
    events = events_table(
        [
            event_rows(
                members["joined_at"][named != UNPUBLISHED_AUTHOR],
                "member.joined",
                0,
                actor_id=named[named != UNPUBLISHED_AUTHOR],
                object_type="member",
                object_id=named[named != UNPUBLISHED_AUTHOR],
                channel="consul",
            ),
            event_rows(
                created,
                "idea.submitted",
                1,
                actor_id=author.where(author != UNPUBLISHED_AUTHOR),
                object_type="idea",
                object_id=proposal_id,
                campaign_id=1,
                value=1.0,
                details=details_json(len(proposals), stage="open", language=None, tags=[]),
            ),
            event_rows(
                vote_at,
                "idea.supported",
                2,
                actor_id=voter,
                object_type="idea",
                object_id=voted,
                campaign_id=1,
                value=flag.map(_FLAGS),
                target_member_id=pd.Series(author_of.reindex(voted).to_numpy()),
            ),
            event_rows(
                comment_at,
                "comment.posted",
                2,
                actor_id=commenter,
                object_type="comment",
                object_id=comment_id,
                campaign_id=1,
                target_member_id=reply_target.where(parent.notna().to_numpy(), post_target),
                details=details_json(len(comments), idea_id=commented, builds_on=False, parent_id=parent),
            ),
            event_rows(
                retired_at[retired],
                "idea.stage_changed",
                3,
                actor_id=author.where(author != UNPUBLISHED_AUTHOR)[retired],
                object_type="idea",
                object_id=proposal_id[retired],
                campaign_id=1,
                target_member_id=author[retired],
                details=details_json(
                    int(retired.sum()),
                    **{
                        "from": "open",
                        "to": stage[retired],
                        "reason": reason[retired].replace("", pd.NA),
                        "message": explanation[retired],
                        "answer": False,
                    },
                ),
            ),
        ]
    )
    return {
        "members": members,
        "campaigns": campaigns,
        "ideas": ideas,
        "idea_stages": idea_stages,
        "events": events,
    }


def _describe(path: str | os.PathLike[str]) -> tuple[str, str]:
    name = Path(path).stem
    return name, f"CONSUL public data downloads ({name}): proposals.csv, comments.csv, votes.csv"


CONSUL = Importer(read=import_consul, describe=_describe, module=__name__, changes=CONSUL_CHANGES)
#: The ``dataset.json`` of an export, and the import written as a dataset folder.
consul_meta = CONSUL.meta
write_consul_dataset = CONSUL.write
