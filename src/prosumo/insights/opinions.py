"""The opinion groups, stored for the pages where decisions are made (docs/insights.md, "Opinion groups").

After each run over all the platform's data (the nightly one, or staff's "Compute now"
with no filter), :func:`opinion_groups_store` keeps the groups the analytics found: one
row per idea with its verdicts, and one per idea and shown group with the group's votes.
:class:`StoredOpinions` reads them back for ideas' pages, which registers nothing of
insights: insights registers it with ideas (``apps.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from prosumo.ideas.models import Idea
from prosumo.ideas.opinions import GroupVotes, IdeaOpinions, OpinionMarks
from prosumo.insights.models import IdeaGroupVotes, IdeaOpinion, InsightRun, OpinionGrouping

BATCH = 2_000


def opinion_groups_store(*, ds: Any, run: InsightRun | None = None) -> OpinionGrouping | None:
    """Compute the opinion groups of a dataset of the whole platform and keep them in place of the last ones.

    The groups, their names and the verdicts are those of the Insights page's question 9
    (``analytics.metrics.opinions.compute``), so both show the same groups. Returns None,
    and keeps the groups already stored, when too few members voted to form groups.
    Runs in the Insights task, never in a request.
    """
    import pandas as pd

    from prosumo.analytics.metrics import opinions

    figures = opinions.compute(ds)
    result = figures.groups
    if result.k == 0:
        return None
    shown_groups = result.groups[result.groups["shown"]]
    names = {
        int(group): "" if pd.isna(name) else str(name)[:300]
        for group, name in zip(shown_groups["group"], shown_groups["name"], strict=True)
    }
    sizes = {int(group): int(size) for group, size in zip(shown_groups["group"], shown_groups["members"], strict=True)}
    share = opinions.consensus_share(result)
    frame = result.ideas
    ids = [int(i) for i in frame["idea_id"]]
    with transaction.atomic():
        existing = set(Idea.objects.filter(pk__in=ids).values_list("pk", flat=True))
        OpinionGrouping.objects.all().delete()  # the rows per idea go with it
        grouping = OpinionGrouping.objects.create(
            computed_at=timezone.now(),
            run=run,
            k=result.k,
            groups_shown=len(shown_groups),
            members_placed=len(result.members),
            k_state=asdict(result.k_state) if result.k_state else {},
        )
        rows = []
        for position, idea_id in enumerate(ids):
            if idea_id not in existing:  # deleted since the export
                continue
            value = float(share.iloc[position])
            rows.append(
                IdeaOpinion(
                    grouping=grouping,
                    idea_id=idea_id,
                    unites=bool(frame["unites"].iloc[position]),
                    divides=bool(frame["divides"].iloc[position]),
                    consensus=None if math.isnan(value) else value,
                )
            )
        stored = IdeaOpinion.objects.bulk_create(rows, batch_size=BATCH)
        position_of = {idea_id: position for position, idea_id in enumerate(ids)}
        votes = []
        for opinion in stored:
            position = position_of[opinion.idea_id]
            for group in names:
                agree = int(frame[f"agree_g{group}"].iloc[position])
                disagree = int(frame[f"disagree_g{group}"].iloc[position])
                seen = int(frame[f"votes_g{group}"].iloc[position])
                votes.append(
                    IdeaGroupVotes(
                        opinion=opinion,
                        group=group,
                        name=names[group],
                        members=sizes[group],
                        agree=agree,
                        disagree=disagree,
                        passed=seen - agree - disagree,
                    )
                )
        IdeaGroupVotes.objects.bulk_create(votes, batch_size=BATCH)
    return grouping


class StoredOpinions:
    """The stored groups as ideas' pages read them (registered in ``InsightsConfig.ready``)."""

    def computed(self) -> bool:
        return OpinionGrouping.objects.exists()

    def of_idea(self, idea_id: int) -> IdeaOpinions | None:
        opinion = IdeaOpinion.objects.filter(idea_id=idea_id).prefetch_related("groups").first()
        if opinion is None:
            return None
        groups = tuple(
            GroupVotes(g.group, g.name, g.members, g.agree, g.disagree, g.passed) for g in opinion.groups.all()
        )
        return IdeaOpinions(groups=groups, unites=opinion.unites, divides=opinion.divides)

    def marks(self, idea_ids: Iterable[int]) -> OpinionMarks:
        rows = (
            IdeaOpinion.objects.filter(idea_id__in=list(idea_ids))
            .filter(Q(unites=True) | Q(divides=True))
            .values_list("idea_id", "unites", "divides")
        )
        uniting = frozenset(i for i, unites, _ in rows if unites)
        dividing = frozenset(i for i, _, divides in rows if divides)
        return OpinionMarks(uniting=uniting, dividing=dividing)

    def consensus(self) -> Subquery[Any]:
        return Subquery(IdeaOpinion.objects.filter(idea_id=OuterRef("pk")).values("consensus")[:1])
