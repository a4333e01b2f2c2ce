"""Arrow schemas of the community dataset contract and of the platform detail tables.

The contract (``docs/dataset.md``): ids are int64, times are ``timestamp[us, tz=UTC]``,
JSON columns are strings. The platform tables (``idea_revisions``, ``comments``, ``votes``,
``idea_tags``, ``campaign_details``) are not part of the contract; they carry what the
Django loader needs to rebuild the demo community exactly.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

CONTRACT_SCHEMAS: dict[str, pa.Schema] = {
    "members": pa.schema(
        [
            ("member_id", pa.int64()),
            ("joined_at", TS),
            ("segment", pa.string()),
            ("country", pa.string()),
            ("channel", pa.string()),
            ("referred_by", pa.int64()),
            ("is_staff", pa.bool_()),
            ("attributes", pa.string()),
        ]
    ),
    "campaigns": pa.schema(
        [
            ("campaign_id", pa.int64()),
            ("title", pa.string()),
            ("starts_at", TS),
            ("ends_at", TS),
            ("voting_mode", pa.string()),
        ]
    ),
    "ideas": pa.schema(
        [
            ("idea_id", pa.int64()),
            ("campaign_id", pa.int64()),
            ("author_id", pa.int64()),
            ("created_at", TS),
            ("status", pa.string()),
            ("title", pa.string()),
            ("body", pa.string()),
            ("language", pa.string()),
            ("merged_into", pa.int64()),
            # the generated community has no contribution terms: every idea's licence and version is empty
            ("licence", pa.string()),
            ("terms_version", pa.int64()),
        ]
    ),
    "idea_authors": pa.schema(
        [
            ("idea_id", pa.int64()),
            ("member_id", pa.int64()),
            ("share", pa.float64()),
        ]
    ),
    "idea_stages": pa.schema(
        [
            ("idea_id", pa.int64()),
            ("stage", pa.string()),
            ("changed_at", TS),
            ("actor_id", pa.int64()),
            ("reason", pa.string()),
            ("message", pa.string()),
        ]
    ),
    "events": pa.schema(
        [
            ("event_id", pa.int64()),
            ("occurred_at", TS),
            ("actor_id", pa.int64()),
            ("verb", pa.string()),
            ("object_type", pa.string()),
            ("object_id", pa.int64()),
            ("target_member_id", pa.int64()),
            ("campaign_id", pa.int64()),
            ("channel", pa.string()),
            ("value", pa.float64()),
            ("details", pa.string()),
        ]
    ),
    "outcomes": pa.schema(
        [
            ("member_id", pa.int64()),
            ("product_id", pa.int64()),
            ("ordered_at", TS),
            ("amount", pa.float64()),
            ("from_idea_id", pa.int64()),
        ]
    ),
    "surveys": pa.schema(
        [
            ("member_id", pa.int64()),
            ("item", pa.string()),
            ("score", pa.float64()),
        ]
    ),
    "costs": pa.schema(
        [
            ("channel", pa.string()),
            ("period_start", TS),
            ("period_end", TS),
            ("spend", pa.float64()),
        ]
    ),
}

PLATFORM_SCHEMAS: dict[str, pa.Schema] = {
    "campaign_details": pa.schema(
        [
            ("campaign_id", pa.int64()),
            ("title_es", pa.string()),
            ("brief_en", pa.string()),
            ("brief_es", pa.string()),
            ("support_threshold", pa.int64()),
            ("products", pa.string()),
            ("scorecard", pa.string()),
        ]
    ),
    "idea_revisions": pa.schema(
        [
            ("idea_id", pa.int64()),
            ("revision", pa.int64()),
            ("title", pa.string()),
            ("body", pa.string()),
            ("created_at", TS),
        ]
    ),
    "idea_tags": pa.schema([("idea_id", pa.int64()), ("tag", pa.string())]),
    "comments": pa.schema(
        [
            ("comment_id", pa.int64()),
            ("idea_id", pa.int64()),
            ("author_id", pa.int64()),
            ("parent_id", pa.int64()),
            ("body", pa.string()),
            ("builds_on", pa.bool_()),
            ("created_at", TS),
            ("language", pa.string()),
        ]
    ),
    "votes": pa.schema(
        [
            ("idea_id", pa.int64()),
            ("member_id", pa.int64()),
            ("value", pa.float64()),
            ("created_at", TS),
        ]
    ),
}

CONTRACT_TABLES = tuple(CONTRACT_SCHEMAS)
PLATFORM_TABLES = tuple(PLATFORM_SCHEMAS)

STAGES = ("submitted", "open", "under_review", "accepted", "in_development", "launched", "declined", "merged")
VOTING_MODES = ("support", "updown", "score")

VERBS = (
    "member.joined",
    "member.referred",
    "member.visited",
    "idea.viewed",
    "idea.submitted",
    "idea.revised",
    "idea.coauthor_added",
    "idea.supported",
    "idea.support_withdrawn",
    "idea.rated",
    "comment.posted",
    "idea.stage_changed",
    "idea.merged",
    "reward.granted",
    "order.imported",
    "member.touched",  # last: adding a verb must not move the others' tie-break rank
)
#: Verbs whose actor took part (co-authors take part as the target of ``idea.coauthor_added``).
CONTRIBUTION_VERBS = (
    "idea.submitted",
    "idea.supported",
    "idea.support_withdrawn",
    "idea.rated",
    "comment.posted",
)
