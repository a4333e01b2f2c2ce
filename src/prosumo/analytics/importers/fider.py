"""Turn a Fider backup into a community dataset.

Fider's administration offers two downloads: a CSV of posts (titles, counts and the
author's *name*, no ids and no voters) and a backup, a zip of one JSON file per
table, each an array of the table's rows. Only the backup says who voted for what
and when, so the importer reads it (the zip itself or the folder it unpacks to):

* ``users.json``: id, created_at, role (1 visitor, 2 collaborator, 3 administrator,
  4 moderator), status (1 active, 2 deleted, 3 blocked); names and emails are not read;
* ``posts.json``: id, number, title, description, user_id, created_at, status
  (0 open, 1 started, 2 completed, 3 declined, 4 planned, 5 duplicate, 6 deleted),
  response, response_date, response_user_id, original_id (the post a duplicate repeats);
* ``post_votes.json``: user_id, post_id, created_at;
* ``comments.json``: id, post_id, user_id, created_at, deleted_at (the text is not read);
* ``tenants.json`` (optional): the site's name and subdomain.

Mapping onto the contract (``docs/dataset.md``, ``docs/real-data.md``):

* every user becomes a member (``joined_at`` = their ``created_at``; collaborators,
  administrators and moderators are staff; role and status kept in ``attributes``);
* the site becomes one campaign (voting mode ``support``: Fider has no vote against);
* posts become ideas: open -> ``open``, planned -> ``accepted``, started ->
  ``in_development``, completed -> ``launched``, declined -> ``declined``,
  duplicate -> ``merged`` with ``merged_into`` = the original; deleted posts, their
  votes and their comments are left out, as Fider shows them nowhere;
* ``idea_stages``: submitted and open at the post's time, then the staff answer's
  stage at ``response_date`` with the responder and the response text;
* events: ``member.joined``, ``idea.submitted``, ``idea.supported`` (+1 at the
  vote's time, target = the post's author), ``comment.posted`` (deleted comments
  left out) and ``idea.stage_changed`` for each staff answer (``answer`` true).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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
    times,
)

__all__ = ["FIDER_CHANGES", "FIDER_STAGES", "ExportFormatError", "fider_meta", "import_fider", "write_fider_dataset"]

#: Fider's post status (its ``enum.PostStatus``) -> the contract's stage.
FIDER_STAGES = {0: "open", 1: "in_development", 2: "launched", 3: "declined", 4: "accepted", 5: "merged"}
_DELETED = 6
_ROLES = {1: "visitor", 2: "collaborator", 3: "administrator", 4: "moderator"}
_USER_STATUS = {1: "active", 2: "deleted", 3: "blocked"}
FIDER_CHANGES = (
    "Changes: converted by Prosumo's Fider importer into a community dataset (users as members without "
    "names or emails, posts as ideas, votes as support events, comments as events; deleted posts and "
    "deleted comments left out)."
)


def _optional(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _text(values: pd.Series) -> pd.Series:
    # the backup writes a text that reads as a number as a JSON number
    return values.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)).astype("string")


def _tenant(files: ExportFiles) -> dict[str, Any]:
    if "tenants.json" not in files.names:
        return {}
    tenants = files.read_json("tenants.json", ())
    return tenants.iloc[0].to_dict() if len(tenants) else {}


def import_fider(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read a Fider backup (zip or folder) into contract tables.

    Raises
    ------
    ExportFormatError
        For a missing file or column, a bad id, time, role or status, a duplicate id,
        or a vote, comment or post that names an unknown user or post, naming the
        file, the row and the column.
    """
    files = ExportFiles(path)
    users = files.read_json("users.json", ("id", "created_at", "role", "status"))
    posts = _optional(
        files.read_json("posts.json", ("id", "title", "description", "user_id", "created_at", "status")),
        "response",
        "response_date",
        "response_user_id",
        "original_id",
    )
    votes = files.read_json("post_votes.json", ("user_id", "post_id", "created_at"))
    comments = _optional(files.read_json("comments.json", ("id", "post_id", "user_id", "created_at")), "deleted_at")
    u, p, v, c = (files.where(n) for n in ("users.json", "posts.json", "post_votes.json", "comments.json"))

    user_id = integers(users, "id", u)
    check_unique(user_id, u, "id")
    joined = times(users, "created_at", u)
    role = integers(users, "role", u)
    check_known(role, _ROLES, u, "role", "unknown role")
    status = integers(users, "status", u)
    check_known(status, _USER_STATUS, u, "status", "unknown status")

    post_id = integers(posts, "id", p)
    check_unique(post_id, p, "id")
    author = integers(posts, "user_id", p)
    check_known(author, user_id, p, "user_id", "unknown user")
    created = times(posts, "created_at", p)
    post_status = integers(posts, "status", p)
    check_known(post_status, [*FIDER_STAGES, _DELETED], p, "status", "unknown status")
    answered = times(posts, "response_date", p, nullable=True)
    responder = integers(posts, "response_user_id", p, nullable=True)
    check_known(responder, user_id, p, "response_user_id", "unknown user")
    original = integers(posts, "original_id", p, nullable=True)
    check_known(original, post_id, p, "original_id", "unknown post")

    voter = integers(votes, "user_id", v)
    check_known(voter, user_id, v, "user_id", "vote by unknown user")
    voted = integers(votes, "post_id", v)
    check_known(voted, post_id, v, "post_id", "vote for unknown post")
    vote_at = times(votes, "created_at", v)

    comment_id = integers(comments, "id", c)
    check_unique(comment_id, c, "id")
    commented = integers(comments, "post_id", c)
    check_known(commented, post_id, c, "post_id", "comment on unknown post")
    commenter = integers(comments, "user_id", c)
    check_known(commenter, user_id, c, "user_id", "comment by unknown user")
    comment_at = times(comments, "created_at", c)
    deleted_at = times(comments, "deleted_at", c, nullable=True)

    kept = (post_status != _DELETED).to_numpy()
    kept_ids = post_id[kept]
    author_of = pd.Series(author.to_numpy(), index=post_id.to_numpy())
    stage = post_status.map(FIDER_STAGES)

    members = members_table(
        user_id,
        joined,
        channel="fider",
        is_staff=role.isin([2, 3, 4]),
        attributes=pd.Series(
            [
                json.dumps({"fider_role": _ROLES[r], "fider_status": _USER_STATUS[s]})
                for r, s in zip(role, status, strict=True)
            ]
        ),
    )
    tenant = _tenant(files)
    starts = min(joined.min(), created.min())
    campaigns = pd.DataFrame(
        {
            "campaign_id": [1],
            "title": [str(tenant.get("name") or Path(path).stem)],
            "starts_at": pd.Series([starts]).astype("datetime64[us, UTC]"),
            "ends_at": pd.Series([pd.NaT], dtype="datetime64[us, UTC]"),
            "voting_mode": ["support"],
        }
    )
    merged_into = original.where(post_status == 5).where(original.isin(kept_ids))
    ideas = pd.DataFrame(
        {
            "idea_id": post_id,
            "campaign_id": pd.array(np.ones(len(posts), dtype=np.int64), dtype="Int64"),
            "author_id": author,
            "created_at": created,
            "status": stage.astype("string"),
            "title": _text(posts["title"]),
            "body": _text(posts["description"]),
            "language": pd.Series([None] * len(posts), dtype="string"),
            "merged_into": merged_into.astype("Int64"),
        }
    )[kept].sort_values("idea_id", ignore_index=True)

    # a staff answer: a stage other than open, at the response's time
    answer = kept & (post_status != 0).to_numpy()
    answer_at = answered.where(answered.notna(), created)[answer]
    response = _text(posts["response"]).replace("", pd.NA)[answer]
    stages = pd.concat(
        [
            pd.DataFrame({"idea_id": kept_ids, "stage": "submitted", "changed_at": created[kept]}),
            pd.DataFrame({"idea_id": kept_ids, "stage": "open", "changed_at": created[kept]}),
            pd.DataFrame(
                {
                    "idea_id": post_id[answer],
                    "stage": stage[answer],
                    "changed_at": answer_at,
                    "actor_id": responder[answer],
                    "message": response,
                }
            ),
        ],
        ignore_index=True,
    )
    stages = stages.sort_values(["idea_id", "changed_at"], kind="stable", ignore_index=True)
    idea_stages = pd.DataFrame(
        {
            "idea_id": stages["idea_id"].astype("Int64"),
            "stage": stages["stage"].astype("string"),
            "changed_at": stages["changed_at"].astype("datetime64[us, UTC]"),
            "actor_id": stages["actor_id"].astype("Int64"),
            "reason": pd.Series([None] * len(stages), dtype="string"),
            "message": stages["message"].astype("string"),
        }
    )

    vote_kept = voted.isin(kept_ids).to_numpy()
    comment_kept = (commented.isin(kept_ids) & deleted_at.isna()).to_numpy()
    events = events_table(
        [
            event_rows(
                joined, "member.joined", 0, actor_id=user_id, object_type="member", object_id=user_id, channel="fider"
            ),
            event_rows(
                created[kept],
                "idea.submitted",
                1,
                actor_id=author[kept],
                object_type="idea",
                object_id=kept_ids,
                campaign_id=1,
                value=1.0,
                details=details_json(int(kept.sum()), stage="open", language=None, tags=[]),
            ),
            event_rows(
                vote_at[vote_kept],
                "idea.supported",
                2,
                actor_id=voter[vote_kept],
                object_type="idea",
                object_id=voted[vote_kept],
                campaign_id=1,
                value=1.0,
                target_member_id=pd.Series(author_of.reindex(voted[vote_kept]).to_numpy()),
            ),
            event_rows(
                comment_at[comment_kept],
                "comment.posted",
                2,
                actor_id=commenter[comment_kept],
                object_type="comment",
                object_id=comment_id[comment_kept],
                campaign_id=1,
                target_member_id=pd.Series(author_of.reindex(commented[comment_kept]).to_numpy()),
                details=details_json(
                    int(comment_kept.sum()),
                    idea_id=commented[comment_kept].reset_index(drop=True),
                    builds_on=False,
                    parent_id=None,
                ),
            ),
            event_rows(
                answer_at,
                "idea.stage_changed",
                3,
                actor_id=responder[answer],
                object_type="idea",
                object_id=post_id[answer],
                campaign_id=1,
                target_member_id=author[answer],
                details=details_json(
                    int(answer.sum()),
                    **{
                        "from": "open",
                        "to": stage[answer].reset_index(drop=True),
                        "reason": None,
                        "message": response.reset_index(drop=True),
                        "answer": True,
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
    tenant = _tenant(ExportFiles(path))
    site = str(tenant.get("name") or Path(path).stem)
    subdomain = tenant.get("subdomain")
    return site, f"Fider backup of {site}" + (f" ({subdomain})" if subdomain else "")


FIDER = Importer(read=import_fider, describe=_describe, module=__name__, changes=FIDER_CHANGES)
#: The ``dataset.json`` of an export, and the import written as a dataset folder.
fider_meta = FIDER.meta
write_fider_dataset = FIDER.write
