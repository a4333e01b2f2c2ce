"""Turn a Decidim open-data download into a community dataset.

A Decidim organisation publishes an open-data zip with one CSV per kind of content,
written by Decidim's CSV exporter: ``;`` separated, a nested field flattened into
``parent/child`` columns (a translated text into ``title/en``, ``title/es``, ...), a
list joined with ``, ``, times as Ruby writes them (``2024-03-01 10:15:00 UTC``). The
importer reads two of its files, from the zip or the folder it unpacks to (their
names start with the organisation's host: ``HOST-open-data-proposals.csv``):

* ``proposals``: id, author/id, author/url, participatory_space/url, component/id,
  title/LOCALE, body/LOCALE, state, state_published_at or answered_at, answer/LOCALE,
  votes (``supports`` before Decidim 0.28), published_at, is_amend, withdrawn,
  withdrawn_at;
* ``proposal_comments``: id, created_at, author/id, commentable_id,
  commentable_type, root_commentable_url.

Mapping onto the contract (``docs/real-data.md``):

* a proposals component becomes a campaign (voting mode ``support``);
* proposals become ideas (amendments are left out: they change another proposal's
  text); the first author is the author, co-authors share equally
  (``idea_authors``); a proposal by the organisation or a meeting (no participant's
  profile) is by member 0, the organisation, staff;
* members are the participants named as authors of proposals or comments;
  ``joined_at`` is their first contribution in the files, as Decidim publishes no
  sign-up time;
* states: not answered -> ``open``, evaluating -> ``under_review``, accepted ->
  ``accepted``, rejected -> ``declined``; withdrawn -> ``declined`` (reason
  ``withdrawn``) at ``withdrawn_at``; an answer is an ``idea_stages`` row and an
  ``idea.stage_changed`` event (``answer`` true, the answering staff not named);
* **supports are counts without voters** (``votes``): they are kept as the idea's
  ``supports_count`` column, never as members or events, since the file does not say
  who supported nor when;
* comments (on a proposal or replying to a comment on one) become ``comment.posted``.
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
    short_title,
    times,
)

__all__ = [
    "DECIDIM_CHANGES",
    "DECIDIM_STATES",
    "ORGANISATION",
    "ExportFormatError",
    "decidim_meta",
    "import_decidim",
    "write_decidim_dataset",
]

#: A proposal's state -> the contract's stage.
DECIDIM_STATES = {
    "": "open",
    "not_answered": "open",
    "published": "open",
    "evaluating": "under_review",
    "accepted": "accepted",
    "rejected": "declined",
    "withdrawn": "declined",
}
#: The member that stands for the organisation (official proposals, meetings' proposals).
ORGANISATION = 0
_TRUE = {"true", "t", "1", "yes"}
DECIDIM_CHANGES = (
    "Changes: converted by Prosumo's Decidim importer into a community dataset (proposals as ideas, "
    "named participants as members without their names, comments as events; supports kept as counts per "
    "idea; amendments left out)."
)


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name].astype("string").str.strip()
    return pd.Series([""] * len(frame), dtype="string", index=frame.index)


def _translated(frame: pd.DataFrame, field: str) -> tuple[pd.Series, pd.Series]:
    """The first non-empty translation of ``field`` per row, and its locale (empty: none)."""
    columns = [c for c in frame.columns if c == field or (c.startswith(field + "/") and c.count("/") == 1)]
    text = pd.Series([""] * len(frame), dtype="string", index=frame.index)
    locale = pd.Series([None] * len(frame), dtype="string", index=frame.index)
    for column in columns:
        value = frame[column].astype("string").str.strip()
        take = (text == "") & (value != "")
        text = text.where(~take, value)
        if "/" in column:
            locale = locale.where(~take, column.split("/", 1)[1])
    return text, locale


def _proposal_ids_in(urls: pd.Series) -> pd.Series:
    return urls.str.extract(r"/proposals/(\d+)", expand=False)


def import_decidim(path: str | os.PathLike[str]) -> dict[str, pd.DataFrame]:
    """Read a Decidim open-data zip (or its folder) into contract tables.

    Raises
    ------
    ExportFormatError
        For a missing file or column, a bad id, time or state, a duplicate id, or a
        comment on a proposal that is not in the proposals file, naming the file, the
        row and the column.
    """
    files = ExportFiles(path)
    proposals_name = files.find("open-data-proposals.csv", "proposals.csv") or "proposals.csv"
    comments_name = files.find("open-data-proposal_comments.csv", "proposal_comments.csv") or "proposal_comments.csv"
    proposals = files.read_csv(proposals_name, ("id", "author/id", "component/id", "state", "published_at"))
    comments = files.read_csv(comments_name, ("id", "created_at", "author/id", "commentable_id", "commentable_type"))
    p, c = files.where(proposals_name), files.where(comments_name)

    # every row is checked first, then amendments are left out: messages name the file's rows
    original = ~_column(proposals, "is_amend").str.lower().isin(_TRUE).to_numpy()
    proposal_id = integers(proposals, "id", p)
    check_unique(proposal_id, p, "id")
    component = integers(proposals, "component/id", p)
    published = times(proposals, "published_at", p)
    state = _column(proposals, "state").str.lower()
    check_known(state, DECIDIM_STATES, p, "state", "unknown state")
    withdrawn = _column(proposals, "withdrawn").str.lower().isin(_TRUE) | (state == "withdrawn")
    withdrawn_at = times(proposals.assign(w=_column(proposals, "withdrawn_at")), "w", p, nullable=True)
    answer_column = "state_published_at" if "state_published_at" in proposals.columns else "answered_at"
    answered_at = times(proposals.assign(a=_column(proposals, answer_column)), "a", p, nullable=True)
    supports = integers(proposals.assign(s=_column(proposals, "votes", "supports")), "s", p, nullable=True)

    # authors: ids of participants (a profile URL); anything else is the organisation
    author_ids = _column(proposals, "author/id").str.split(r",\s*")
    author_urls = _column(proposals, "author/url").str.split(r",\s*")
    has_urls = "author/url" in proposals.columns
    rows: list[dict[str, Any]] = []
    for i, (ids, urls) in enumerate(zip(author_ids, author_urls, strict=True)):
        named = []
        for k, text in enumerate(ids):
            if not text:
                continue
            if not text.isdigit():
                raise ExportFormatError(f"{p}: row {i + 1}, column author/id: {text!r} is not an integer")
            url = urls[k] if k < len(urls) else ""
            if not has_urls or "/profiles/" in url:
                named.append(int(text))
        for member in dict.fromkeys(named or [ORGANISATION]):
            if original[i]:
                rows.append({"idea_id": int(proposal_id.iloc[i]), "member_id": member, "n": len(set(named)) or 1})
    every_proposal = proposal_id
    proposals, proposal_id, component, published, state, withdrawn, withdrawn_at, answered_at, supports = (
        x[original].reset_index(drop=True)
        for x in (
            proposals,
            proposal_id,
            component,
            published,
            state,
            withdrawn,
            withdrawn_at,
            answered_at,
            supports,
        )
    )
    authors = pd.DataFrame(rows)
    idea_authors = pd.DataFrame(
        {
            "idea_id": authors["idea_id"].astype("int64"),
            "member_id": authors["member_id"].astype("int64"),
            "share": 1.0 / authors["n"].astype("float64"),
        }
    )
    first_author = authors.drop_duplicates("idea_id").set_index("idea_id")["member_id"]
    author = pd.Series(first_author.reindex(proposal_id.to_numpy()).to_numpy(), dtype="Int64")

    idea_of_comment = pd.Series(pd.array(_proposal_ids_in(_column(comments, "root_commentable_url")), dtype="Int64"))
    on_proposal = _column(comments, "commentable_type").str.endswith("Proposal").to_numpy()
    commented_id = integers(comments, "commentable_id", c)
    idea_of_comment = idea_of_comment.where(~on_proposal, commented_id)
    comment_id = integers(comments, "id", c)
    check_unique(comment_id, c, "id")
    comment_at = times(comments, "created_at", c)
    commenter = integers(comments, "author/id", c, nullable=True)
    check_known(idea_of_comment, every_proposal, c, "commentable_id", "comment on unknown proposal")
    parent = commented_id.where(~on_proposal)
    # comments on meetings, debates, ... and on amendments are not read
    keep = idea_of_comment.isin(proposal_id).to_numpy()
    comments, idea_of_comment, comment_id, comment_at, commenter, parent = (
        x[keep].reset_index(drop=True) for x in (comments, idea_of_comment, comment_id, comment_at, commenter, parent)
    )

    published_of = pd.Series(published.to_numpy(), index=proposal_id.to_numpy())
    firsts = (
        pd.DataFrame(
            {
                "member_id": pd.concat([idea_authors["member_id"].astype("Int64"), commenter], ignore_index=True),
                "at": pd.concat(
                    [pd.Series(published_of.reindex(idea_authors["idea_id"]).to_numpy()), comment_at],
                    ignore_index=True,
                ),
            }
        )
        .dropna(subset=["member_id"])
        .groupby("member_id", sort=True)["at"]
        .min()
    )
    member_ids = pd.Series(firsts.index.to_numpy(dtype=np.int64))
    members = members_table(
        member_ids,
        pd.Series(firsts.to_numpy()),
        channel="decidim",
        is_staff=member_ids == ORGANISATION,
        attributes=pd.Series(
            [json.dumps({"decidim_author": "organisation"}) if m == ORGANISATION else None for m in member_ids]
        ),
    )

    space = _column(proposals, "participatory_space/url")
    components = (
        pd.DataFrame({"campaign_id": component, "space": space, "at": published})
        .groupby("campaign_id", sort=True)
        .agg(space=("space", "first"), starts_at=("at", "min"), ends_at=("at", "max"))
        .reset_index()
    )
    campaigns = pd.DataFrame(
        {
            "campaign_id": components["campaign_id"].astype("Int64"),
            "title": [
                f"Proposals {cid}" + (f" ({s})" if s else "")
                for cid, s in zip(components["campaign_id"], components["space"], strict=True)
            ],
            "starts_at": components["starts_at"].astype("datetime64[us, UTC]"),
            "ends_at": components["ends_at"].astype("datetime64[us, UTC]"),
            "voting_mode": "support",
        }
    )

    title, language = _translated(proposals, "title")
    body, _ = _translated(proposals, "body")
    answer_text, _ = _translated(proposals, "answer")
    stage = state.map(DECIDIM_STATES).where(~withdrawn, "declined")
    ideas = pd.DataFrame(
        {
            "idea_id": proposal_id,
            "campaign_id": component,
            "author_id": author,
            "created_at": published,
            "status": stage.astype("string"),
            "title": title.where(title != "", short_title(body)),
            "body": body,
            "language": language,
            "merged_into": pd.Series([None] * len(proposals), dtype="Int64"),
            "supports_count": supports,
        }
    ).sort_values("idea_id", ignore_index=True)

    answered = ((stage != "open") & ~withdrawn & answered_at.notna()).to_numpy()
    took_back = (withdrawn & withdrawn_at.notna()).to_numpy()
    moved = answered | took_back
    moved_at = answered_at.where(~withdrawn, withdrawn_at)[moved]
    message = answer_text.replace("", pd.NA).where(~withdrawn)[moved]
    reason = pd.Series([None] * len(proposals), dtype="string").mask(withdrawn, "withdrawn")[moved]
    stages = pd.concat(
        [
            pd.DataFrame({"idea_id": proposal_id, "stage": "submitted", "changed_at": published}),
            pd.DataFrame({"idea_id": proposal_id, "stage": "open", "changed_at": published}),
            pd.DataFrame(
                {
                    "idea_id": proposal_id[moved],
                    "stage": stage[moved],
                    "changed_at": moved_at,
                    "reason": reason,
                    "message": message,
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
            "actor_id": pd.Series([None] * len(stages), dtype="Int64"),
            "reason": stages["reason"].astype("string"),
            "message": stages["message"].astype("string"),
        }
    )

    author_of = pd.Series(author.to_numpy(), index=proposal_id.to_numpy())
    campaign_of = pd.Series(component.to_numpy(), index=proposal_id.to_numpy())
    commenter_of = pd.Series(commenter.to_numpy(), index=comment_id.to_numpy())
    reply_target = pd.Series(commenter_of.reindex(parent.fillna(-1)).to_numpy())
    post_target = pd.Series(author_of.reindex(idea_of_comment).to_numpy())
    participant = members["member_id"] != ORGANISATION
    events = events_table(
        [
            event_rows(
                members["joined_at"][participant],
                "member.joined",
                0,
                actor_id=members["member_id"][participant],
                object_type="member",
                object_id=members["member_id"][participant],
                channel="decidim",
            ),
            event_rows(
                published,
                "idea.submitted",
                1,
                actor_id=author,
                object_type="idea",
                object_id=proposal_id,
                campaign_id=component,
                value=1.0,
                details=details_json(len(proposals), stage="open", language=language, tags=[]),
            ),
            event_rows(
                comment_at,
                "comment.posted",
                2,
                actor_id=commenter,
                object_type="comment",
                object_id=comment_id,
                campaign_id=pd.Series(campaign_of.reindex(idea_of_comment).to_numpy()),
                target_member_id=reply_target.where(parent.notna().to_numpy(), post_target),
                details=details_json(len(comments), idea_id=idea_of_comment, builds_on=False, parent_id=parent),
            ),
            event_rows(
                moved_at,
                "idea.stage_changed",
                3,
                actor_id=author.where(withdrawn)[moved],
                object_type="idea",
                object_id=proposal_id[moved],
                campaign_id=component[moved],
                target_member_id=author[moved],
                details=details_json(
                    int(moved.sum()),
                    **{
                        "from": "open",
                        "to": stage[moved],
                        "reason": reason,
                        "message": message,
                        "answer": pd.Series(~withdrawn[moved].to_numpy()),
                    },
                ),
            ),
        ]
    )
    return {
        "members": members,
        "campaigns": campaigns,
        "ideas": ideas,
        "idea_authors": idea_authors,
        "idea_stages": idea_stages,
        "events": events,
    }


def _describe(path: str | os.PathLike[str]) -> tuple[str, str]:
    name = ExportFiles(path).find("open-data-proposals.csv", "proposals.csv") or ""
    host = name.removesuffix("-open-data-proposals.csv") if name.endswith("-open-data-proposals.csv") else None
    site = host or Path(path).stem
    return site, f"Decidim open data of {site}: proposals and proposal comments"


DECIDIM = Importer(read=import_decidim, describe=_describe, module=__name__, changes=DECIDIM_CHANGES)
#: The ``dataset.json`` of an export, and the import written as a dataset folder.
decidim_meta = DECIDIM.meta
write_decidim_dataset = DECIDIM.write
