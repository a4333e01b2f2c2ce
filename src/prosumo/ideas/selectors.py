"""Reads for campaigns and ideas: lists, the answer queue, similar ideas, an idea's page."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connections, models
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from prosumo.activity.models import Event
from prosumo.activity.selectors import moderation_audit
from prosumo.community.models import Invitation, Member, public_name
from prosumo.community.selectors import members_by_id
from prosumo.core import statements
from prosumo.core.errors import InvalidInput, NotFound
from prosumo.core.uploads import IMAGE_UPLOADS
from prosumo.ideas import search, similarity
from prosumo.ideas.models import (
    Amendment,
    Attachment,
    Campaign,
    CoAuthor,
    CoAuthorStatus,
    Comment,
    DeclineReason,
    DismissedDuplicate,
    Flag,
    Follow,
    Idea,
    IdeaRevision,
    MergedSupport,
    Review,
    Stage,
    StageChange,
    TallyFigures,
    Vote,
)
from prosumo.ideas.models import Invitation as CampaignInvitation
from prosumo.ideas.opinions import IdeaOpinions, OpinionMarks, opinion_source
from prosumo.ideas.permissions import can_see_opinion_groups

ORDERS = {
    "new": ("-created_at", "-id"),
    "top": ("-rank_top", "-id"),
    "hot": ("-rank_hot", "-id"),
    "trending": ("-rank_trending", "-id"),
}
PER_PAGE_MAX = 100
#: Ideas that every opinion group supports first (docs/ranking.md); needs stored groups.
CONSENSUS = "consensus"
ORDER_NAMES = (*ORDERS, CONSENSUS)
DEFAULT_ORDER = "hot"


@dataclass(frozen=True, slots=True)
class ListedAuthor:
    """An idea's author as a list page shows them."""

    id: int
    display_name: str
    erased_at: datetime | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def name(self) -> str:
        return public_name(self.id, self.display_name, self.erased_at)


@dataclass(frozen=True, slots=True)
class ListedIdea(TallyFigures):
    """One idea of a list page: the columns the page shows, its author and its campaign."""

    id: int
    campaign_id: int
    author_id: int
    title: str
    body: str
    stage: str
    created_at: datetime
    support_count: int
    up_count: int
    down_count: int
    score_sum: int
    score_count: int
    comment_count: int
    revision: int
    answered_at: datetime | None
    author: ListedAuthor
    campaign: Campaign
    # Read for the page's rows after them (`with_tags_and_pictures`): its tags, and its first image.
    tags: tuple[str, ...] = ()
    picture_id: int | None = None

    @property
    def pk(self) -> int:
        return self.id

    def get_stage_display(self) -> str:
        return str(Stage(self.stage).label)


# The columns of each, in the order of their fields.
LISTED_IDEA_COLUMNS = tuple(
    f.name for f in fields(ListedIdea) if f.name not in ("author", "campaign", "tags", "picture_id")
)
IMAGE_TYPES = tuple(IMAGE_UPLOADS)  # the image types an attachment may have


def with_tags_and_pictures(rows: list[ListedIdea]) -> list[ListedIdea]:
    """The rows with their tags (by name) and their first image attachment: two queries for any number of rows."""
    if not rows:
        return rows
    ids = [row.id for row in rows]
    tags: dict[int, list[str]] = {}
    for idea_id, name in (
        Idea.tags.through.objects.filter(idea_id__in=ids).order_by("tag__name").values_list("idea_id", "tag__name")
    ):
        tags.setdefault(idea_id, []).append(name)
    pictures = dict(
        Attachment.objects.filter(idea_id__in=ids, content_type__in=IMAGE_TYPES)
        .values("idea_id")
        .annotate(first=models.Min("id"))
        .values_list("idea_id", "first")
    )
    return [replace(row, tags=tuple(tags.get(row.id, ())), picture_id=pictures.get(row.id)) for row in rows]


def idea_images(attachments: list[Attachment]) -> tuple[list[Attachment], list[Attachment]]:
    """An idea's attachments split into images (its page's gallery) and other files (listed by name)."""
    images = [a for a in attachments if a.content_type in IMAGE_TYPES]
    return images, [a for a in attachments if a.content_type not in IMAGE_TYPES]


LISTED_AUTHOR_COLUMNS = tuple(f.name for f in fields(ListedAuthor))


def _listed(idea: Idea, campaign: Campaign) -> ListedIdea:
    """The list row of an idea the ORM read with its author."""
    author = idea.author
    return ListedIdea(
        **{name: getattr(idea, name) for name in LISTED_IDEA_COLUMNS},
        author=ListedAuthor(author.pk, author.display_name, author.erased_at),
        campaign=campaign,
    )


def campaigns_for(actor: Any) -> QuerySet[Campaign]:
    member = actor if getattr(actor, "is_authenticated", False) else None
    return Campaign.objects.visible_to(member).annotate(
        idea_total=Count("ideas", filter=Q(ideas__hidden=False, ideas__approved=True) & ~Q(ideas__stage=Stage.MERGED))
    )


def campaigns_with_open_ideas(actor: Any) -> QuerySet[Campaign]:
    """The campaigns the actor may see, each with `waiting`: its listed open ideas still waiting for an answer."""
    waiting = Q(ideas__answered_at__isnull=True, ideas__approved=True, ideas__hidden=False, ideas__stage=Stage.OPEN)
    return campaigns_for(actor).annotate(waiting=Count("ideas", filter=waiting))


def campaigns_with_waiting(actor: Any) -> QuerySet[Campaign]:
    """For staff: the campaigns with their segment and `waiting`, the ideas (premoderated too) awaiting an answer."""
    waiting = Q(ideas__answered_at__isnull=True, ideas__hidden=False)  # as Idea.objects.waiting_for_answer
    return campaigns_for(actor).select_related("segment").annotate(waiting=Count("ideas", filter=waiting))


def campaign_choices() -> list[tuple[int, str]]:
    """Every campaign as (id, title), latest start first, for a staff filter."""
    return list(Campaign.objects.order_by("-starts_at").values_list("pk", "title"))


def campaigns_running(actor: Any) -> QuerySet[Campaign]:
    """Campaigns that take ideas now, ending soonest first."""
    now = timezone.now()
    return (
        campaigns_for(actor)
        .filter(Q(starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now)))
        .order_by(models.F("ends_at").asc(nulls_last=True), "-starts_at")
    )


def idea_list(
    *,
    viewer: Any = None,
    campaign: Campaign | None = None,
    order: str = "hot",
    stage: str | None = None,
    tag: str | None = None,
    query: str | None = None,
    page: int | str = 1,
    per_page: int = 20,
    hide_declined: bool = False,
    cards: bool = False,
) -> Page[ListedIdea]:
    """A page of listed ideas in one order: one query for the rows, one for the count.

    With a `campaign` (which the caller got from `access_campaign`, so the viewer may see
    it), its listed ideas; without one, the listed ideas of every campaign the viewer may see
    (no viewer: what a visitor who is not signed in may see). `hide_declined` leaves out
    declined ideas unless a `stage` or a `query` is asked for (the pages' default list). `cards` also
    reads each row's tags and picture (two more queries), which the pages' cards show.
    """
    order, _fell_back = list_order(order)
    if stage and stage not in Stage.values:
        raise InvalidInput(gettext("No such stage."), fields={"stage": ["invalid"]})
    if not 1 <= per_page <= PER_PAGE_MAX:
        raise InvalidInput(
            gettext("Ask for 1 to {PER_PAGE_MAX} ideas a page.").format(PER_PAGE_MAX=PER_PAGE_MAX),
            fields={"per_page": ["range"]},
        )

    def make_qs() -> QuerySet[Idea]:
        qs = Idea.objects.listed()
        qs = qs.filter(campaign=campaign) if campaign is not None else qs.visible_to(viewer)
        if stage:
            qs = qs.filter(stage=stage)
        elif without_declined:
            qs = qs.exclude(stage=Stage.DECLINED)
        if tag:
            qs = qs.filter(tags__name=tag.lower())
        if query:
            qs = qs.filter(pk__in=search.search_ids(query, limit=500))
        if order == CONSENSUS:
            source = opinion_source()
            assert source is not None  # list_order chose it
            return qs.annotate(group_consensus=source.consensus()).order_by(
                models.F("group_consensus").desc(nulls_last=True), *ORDERS[DEFAULT_ORDER]
            )
        return qs.order_by(*ORDERS[order])

    without_declined = hide_declined and not stage and not query  # a search finds declined ideas too
    # One count for every reader of a campaign; a list across campaigns depends on who reads it.
    shown = stage or ("-declined" if without_declined else "")
    count_key = None if query or campaign is None else f"ideas:listed-count:{campaign.pk}:{shown}:{(tag or '').lower()}"
    # The busiest read of the site (a campaign's list, in an order, maybe one stage) reads its
    # page with one statement compiled once; lists by tag or search go through the ORM.
    statement = (
        (order, stage or None, without_declined)
        if campaign is not None and not tag and not query and order in ORDERS
        else None
    )
    # ListedIdeas gives the Paginator what it uses (len/count and slices), not the whole
    # sequence protocol (int indexing, iteration) that django-stubs asks of an object list.
    paginator: Paginator[ListedIdea] = Paginator(ListedIdeas(make_qs, count_key, campaign, statement, cards), per_page)  # type: ignore[arg-type]
    try:
        number = max(1, int(page))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(gettext("The page is a number."), fields={"page": ["invalid"]}) from exc
    return paginator.get_page(number)


def list_order(order: str) -> tuple[str, bool]:
    """The order a list is read in, and whether it fell back to the default one.

    "consensus" needs opinion groups (docs/insights.md); until some are stored, the list
    is read in the default order instead. Any other name than those of ``ORDER_NAMES`` is
    refused.
    """
    if order not in ORDER_NAMES:
        raise InvalidInput(
            gettext("Order by one of {names}.").format(names=", ".join(ORDER_NAMES)), fields={"order": ["invalid"]}
        )
    if order == CONSENSUS:
        source = opinion_source()
        if source is None or not source.computed():
            return DEFAULT_ORDER, True
    return order, False


def idea_opinions(*, idea: Idea, viewer: Any) -> IdeaOpinions | None:
    """How each opinion group voted on the idea, for staff; None for anyone else or when none are stored."""
    source = opinion_source()
    if source is None or not can_see_opinion_groups(viewer):
        return None
    return source.of_idea(idea.pk)


def opinion_marks(*, ideas: Any, viewer: Any) -> OpinionMarks:
    """For staff, which of these ideas unite all opinion groups and which divide them (one query)."""
    source = opinion_source()
    ids = [idea.pk for idea in ideas]
    if source is None or not ids or not can_see_opinion_groups(viewer):
        return OpinionMarks()
    return source.marks(ids)


LARGE_LIST = 1000
LARGE_LIST_COUNT_SECONDS = 15


class ListedIdeas:
    """One idea list for the Paginator: the page's ids from the index first, then those rows only.

    * Page rows: ``SELECT id ... ORDER BY key LIMIT n OFFSET m`` runs as an index-only
      scan of the partial listing index (ideas.0004), and only the page's rows are then
      fetched and joined to their author and campaign; joining first would join every
      skipped row of a deep page.
    * Count: exact below LARGE_LIST ideas (one count capped at LARGE_LIST rows); above,
      the full count is kept for LARGE_LIST_COUNT_SECONDS in the cache, since counting
      tens of thousands of rows on every page view costs more than the rest of the page,
      and a page count a few seconds old does no harm.
    """

    ordered = True

    def __init__(
        self,
        make_qs: Callable[[], QuerySet[Idea]],
        count_key: str | None,
        campaign: Campaign | None = None,
        statement: tuple[str, str | None, bool] | None = None,
        cards: bool = False,
    ) -> None:
        self.make_qs = make_qs  # built only when needed: a cached count and a statement page need none
        self.count_key = count_key
        self.campaign = campaign
        self.statement = statement  # (order, stage, without declined) when `_page_statement` can read the page
        self.cards = cards

    @functools.cached_property
    def qs(self) -> QuerySet[Idea]:
        return self.make_qs()

    def count(self) -> int:
        if self.count_key is not None and (cached := cache.get(self.count_key)) is not None:
            return int(cached)
        bare = self.qs.order_by().values("pk")
        count = bare[:LARGE_LIST].count()
        if count < LARGE_LIST:
            return count
        count = bare.count()
        if self.count_key is not None:
            cache.set(self.count_key, count, LARGE_LIST_COUNT_SECONDS)
        return count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ListedIdea]:
        if self.statement is not None and self.campaign is not None:
            rows = _page_by_statement(self.campaign, *self.statement, index)
            return with_tags_and_pictures(rows) if self.cards else rows
        return listed_rows(list(self.qs.values_list("pk", flat=True)[index]), self.campaign, cards=self.cards)


def listed_rows(ids: list[int], campaign: Campaign | None = None, *, cards: bool = False) -> list[ListedIdea]:
    """The list rows of these ideas in the order of `ids` (one query), and with `cards` their tags and pictures (two)."""
    if not ids:
        return []
    rows = Idea.objects.filter(pk__in=ids)
    # One campaign for every row: attach it rather than join it 20 times.
    rows = rows.select_related("author") if campaign is not None else rows.select_related("author", "campaign")
    by_id = {idea.pk: _listed(idea, campaign or idea.campaign) for idea in rows}
    found = [by_id[pk] for pk in ids if pk in by_id]
    return with_tags_and_pictures(found) if cards else found


SEARCH_LIMIT = 500


def idea_search(*, viewer: Any = None, query: str, page: int | str = 1, per_page: int = 20) -> Page[ListedIdea]:
    """Listed ideas of every campaign the viewer may see that match the words, best match first (ideas/search.py).

    The full-text index ranks at most SEARCH_LIMIT matches; one query keeps those the
    viewer may see, and the page's rows are read as a list page's are.
    """
    ranked = search.search_ids(query, limit=SEARCH_LIMIT)
    visible = set(Idea.objects.listed().visible_to(viewer).filter(pk__in=ranked).values_list("pk", flat=True))
    paginator = Paginator([pk for pk in ranked if pk in visible], per_page)
    try:
        number = max(1, int(page))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(gettext("The page is a number."), fields={"page": ["invalid"]}) from exc
    ids = paginator.get_page(number)
    return Page(listed_rows(list(ids.object_list), cards=True), ids.number, paginator)  # type: ignore[arg-type]  # the paginator counts ids; the page holds their rows


PAGE_MARKERS: dict[str, Any] = {"campaign": -730_191_737, "stage": "\x1fstage\x1f"}


@functools.cache
def _page_statement(
    order: str, with_stage: bool, without_declined: bool = False, using: str = "default"
) -> tuple[str, statements.Compiled, statements.Part, statements.Part]:
    """One statement for a page of a campaign's listed ideas with their authors.

    The page's ids come from the ORM's own query (compiled once, with markers for the
    campaign and stage), as an index-only scan of the listing index; only those rows
    are then joined to the idea table and their authors.
    """
    markers = {"campaign": PAGE_MARKERS["campaign"], **({"stage": PAGE_MARKERS["stage"]} if with_stage else {})}
    qs = Idea.objects.listed().filter(campaign_id=PAGE_MARKERS["campaign"])
    if with_stage:
        qs = qs.filter(stage=PAGE_MARKERS["stage"])
    elif without_declined:
        qs = qs.exclude(stage=Stage.DECLINED)
    inner = statements.Compiled(qs.order_by(*ORDERS[order]).values_list("id"), markers)
    idea = statements.Part(Idea, "i", LISTED_IDEA_COLUMNS)
    author = statements.Part(Member, "m", LISTED_AUTHOR_COLUMNS)
    qn = connections[using].ops.quote_name
    keys = ", ".join(
        f"i.{statements.quoted_column(Idea, k.lstrip('-'), using)}{' DESC' if k.startswith('-') else ''}"
        for k in ORDERS[order]
    )
    sql = (
        f"SELECT {idea.columns(using)}, {author.columns(using)}"  # noqa: S608 (names from model metadata, values bound)
        f" FROM ({inner.sql} LIMIT %s OFFSET %s) p"
        f" JOIN {statements.quoted_table(Idea, using)} i ON i.{qn('id')} = p.{qn('id')}"
        f" JOIN {statements.quoted_table(Member, using)} m ON m.{qn('id')} = i.{qn('author_id')}"
        f" ORDER BY {keys}"
    )
    return sql, inner, idea, author


def _page_by_statement(
    campaign: Campaign, order: str, stage: str | None, without_declined: bool, index: slice
) -> list[ListedIdea]:
    sql, inner, idea_part, author_part = _page_statement(order, stage is not None, without_declined)
    start, stop = index.start or 0, index.stop
    params = [*inner.params(campaign=campaign.pk, stage=stage), stop - start, start]
    return [
        ListedIdea(*idea, author=ListedAuthor(*author), campaign=campaign)  # type: ignore[misc]  # both read, never None: inner joins
        for idea, author in statements.fetch(sql, params, idea_part, author_part)
    ]


def similar_ideas(
    *, viewer: Any = None, text: str, campaign_id: int | None = None, exclude_id: int | None = None, limit: int = 5
) -> list[Idea]:
    """Listed ideas the viewer may see that are like the draft, best match first (ideas/similarity.py).

    Each idea carries `match` (its score, meaning and lexical parts) and `shared_words`. Two
    queries besides the ranking's own: the visible ideas among the candidates, in SQL.
    """
    matches = {m.idea_id: m for m in similarity.rank(text, campaign_id=campaign_id, exclude_id=exclude_id)}
    if not matches:
        return []
    qs = Idea.objects.listed().visible_to(viewer).filter(pk__in=list(matches)).select_related("campaign")
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    found = []
    for idea in qs:
        idea.match = matches[idea.pk]  # type: ignore[attr-defined]
        idea.shared_words = search.shared_terms(text, f"{idea.title} {idea.body}")  # type: ignore[attr-defined]
        found.append(idea)
    order = {idea_id: n for n, idea_id in enumerate(matches)}
    return sorted(found, key=lambda idea: order[idea.pk])[:limit]


def answer_queue(*, limit: int = 200) -> list[Idea]:
    """Ideas still waiting for a staff answer, oldest first."""
    ideas = list(
        Idea.objects.waiting_for_answer().select_related("campaign", "author").order_by("created_at", "id")[:limit]
    )
    now = timezone.now()
    for idea in ideas:
        idea.age_days = (now - idea.created_at).days  # type: ignore[attr-defined]
    return ideas


def possible_duplicates(*, viewer: Any, ideas: int = 60, per_idea: int = 2) -> list[tuple[Idea, Idea]]:
    """Pairs (waiting idea, a similar idea of its campaign) for staff to merge: the oldest `ideas` of the queue.

    A pair staff dismissed (`duplicate_dismiss`) never comes back. Two queries per idea of
    the queue (a search and its visible hits) and one for the dismissed pairs: a staff
    page, bounded by `ideas`.
    """
    queue = answer_queue(limit=ideas)
    ids = [idea.pk for idea in queue]
    dismissed: dict[int, set[int]] = {}
    for low, high in DismissedDuplicate.objects.filter(Q(idea_id__in=ids) | Q(other_id__in=ids)).values_list(
        "idea_id", "other_id"
    ):
        dismissed.setdefault(low, set()).add(high)
        dismissed.setdefault(high, set()).add(low)
    pairs = []
    for idea in queue:
        skip = dismissed.get(idea.pk, set())
        similar = similar_ideas(
            viewer=viewer,
            text=f"{idea.title} {idea.body}",
            campaign_id=idea.campaign_id,
            exclude_id=idea.pk,
            limit=per_idea + len(skip),
        )
        pairs += [(idea, other) for other in similar if other.pk not in skip][:per_idea]
    return pairs


def answered_share(*, days: int = 30) -> tuple[int, int]:
    """(answered, submitted) for ideas submitted in the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    recent = Idea.objects.filter(created_at__gte=since, hidden=False)
    return recent.filter(answered_at__isnull=False).count(), recent.count()


@dataclass
class IdeaPage:
    idea: Idea
    coauthors: list[CoAuthor]
    invitation: CoAuthor | None  # the viewer's own co-author invitation, still unanswered
    attachments: list[Attachment]
    timeline: list[StageChange]
    comments: list[Comment]
    my_vote: int | None
    following: bool
    carried_support: bool
    similar: list[Idea]
    review_summary: list[tuple[str, float]]
    review_count: int
    tags: list[str]


def idea_page(*, idea: Idea, member: Any) -> IdeaPage:
    coauthors = list(CoAuthor.objects.filter(idea=idea, status=CoAuthorStatus.ACCEPTED).select_related("member"))
    timeline = list(StageChange.objects.filter(idea=idea).select_related("actor", "reason"))
    show_hidden = getattr(member, "is_staff", False)
    comments_qs = Comment.objects.filter(idea=idea).select_related("author").order_by("created_at", "id")
    if not show_hidden:
        comments_qs = comments_qs.filter(hidden=False)
    comments = list(comments_qs.prefetch_related(Prefetch("revisions")))
    my_vote = following = carried = invitation = None
    if getattr(member, "is_authenticated", False):
        invitation = CoAuthor.objects.filter(idea=idea, member=member, status=CoAuthorStatus.INVITED).first()
        my_vote = Vote.objects.filter(idea=idea, member=member).values_list("value", flat=True).first()
        following = idea.follows.filter(member=member).exists()
        carried = MergedSupport.objects.filter(target=idea, member=member, status=MergedSupport.Status.CARRIED).exists()
    summary: list[tuple[str, float]] = []
    review_count = 0
    if getattr(member, "is_staff", False):
        reviews = list(Review.objects.filter(idea=idea).values_list("scores", flat=True))
        review_count = len(reviews)
        criteria = idea.campaign.scorecard_criteria or sorted({k for r in reviews for k in r})
        for name in criteria:
            values = [r[name] for r in reviews if name in r]
            if values:
                summary.append((name, sum(values) / len(values)))
    return IdeaPage(
        idea=idea,
        coauthors=coauthors,
        invitation=invitation,
        attachments=list(idea.attachments.all()),
        timeline=timeline,
        comments=comments,
        my_vote=my_vote,
        following=bool(following),
        carried_support=bool(carried),
        similar=similar_ideas(
            viewer=member, text=f"{idea.title} {idea.body}", campaign_id=idea.campaign_id, exclude_id=idea.pk, limit=4
        ),
        review_summary=summary,
        review_count=review_count,
        tags=list(idea.tags.order_by("name").values_list("name", flat=True)),
    )


def comment_tree(comments: list[Comment]) -> list[tuple[Comment, int]]:
    """Comments in thread order with their depth, for indented display."""
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        children.setdefault(comment.parent_id, []).append(comment)
    known = {c.pk for c in comments}
    out: list[tuple[Comment, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append((c, depth))
            walk(c.pk, depth + 1)

    walk(None, 0)
    # Replies whose parent is hidden from this reader still show, at the top level.
    for c in comments:
        if c.parent_id is not None and c.parent_id not in known:
            out.append((c, 0))
            walk(c.pk, 1)
    return out


def idea_involved_members(idea_id: int) -> QuerySet[Member]:
    """Author, accepted co-authors, followers and supporters: everyone told about the idea's fate."""
    return Member.objects.filter(
        Q(pk__in=Idea.objects.filter(pk=idea_id).values("author_id"))
        | Q(pk__in=CoAuthor.objects.filter(idea_id=idea_id, status=CoAuthorStatus.ACCEPTED).values("member_id"))
        | Q(pk__in=Follow.objects.filter(idea_id=idea_id).values("member_id"))
        | Q(pk__in=Vote.objects.filter(idea_id=idea_id, value__gt=0).values("member_id"))
    )


def idea_followers(idea_id: int) -> QuerySet[Member]:
    """The members who follow an idea."""
    return Member.objects.filter(pk__in=Follow.objects.filter(idea_id=idea_id).values("member_id"))


@dataclass
class ProfileActivity:
    ideas: list[Idea]
    stats: dict[str, int]


PROFILE_IDEAS_SHOWN = 100


def profile_activity(*, member: Member, viewer: Any) -> ProfileActivity:
    """A member's ideas and counts as the viewer may see them: nothing from an idea hidden from the viewer."""
    visible = Idea.objects.visible_to(viewer)
    own = visible.filter(author=member)
    seen = visible.values("pk")
    return ProfileActivity(
        ideas=list(own.select_related("campaign").order_by("-created_at", "-id")[:PROFILE_IDEAS_SHOWN]),
        stats={
            "ideas": own.count(),
            "answered": own.filter(answered_at__isnull=False).count(),
            "comments": Comment.objects.filter(author=member, hidden=False, idea__in=seen).count(),
            "votes": Vote.objects.filter(member=member, idea__in=seen).count(),
            "coauthored": CoAuthor.objects.filter(member=member, status=CoAuthorStatus.ACCEPTED, idea__in=seen).count(),
        },
    )


def profile_part(member: Member, viewer: Any) -> dict[str, Any]:
    """For the member's profile page (registered with community): their ideas and counts, as the viewer may see them."""
    activity = profile_activity(member=member, viewer=viewer)
    return {"ideas": activity.ideas, "stats": activity.stats}


def idea_attachment(*, idea: Idea, attachment_id: int) -> Attachment:
    """One of the idea's attachments (the caller got the idea from `access_idea`); else NotFound."""
    attachment = Attachment.objects.filter(idea=idea, pk=attachment_id).first()
    if attachment is None:
        raise NotFound(gettext("No such file."))
    return attachment


def idea_readers(idea_id: int) -> QuerySet[Member]:
    """The active members who may read the idea (`Idea.readers`); nobody when it does not exist."""
    idea = Idea.objects.select_related("campaign").filter(pk=idea_id).first()
    return idea.readers() if idea is not None else Member.objects.none()


def idea_revisions(idea: Idea) -> list[IdeaRevision]:
    """Every revision of an idea the caller got from `access_idea`, first to last, with its author."""
    return list(IdeaRevision.objects.filter(idea=idea).select_related("author").order_by("number"))


def idea_amendments(idea: Idea) -> list[Amendment]:
    """The amendments proposed to an idea the caller got from `access_idea`, newest first, with their amenders."""
    return list(
        Amendment.objects.filter(idea=idea).select_related("amender", "revision").order_by("-created_at", "-pk")
    )


def idea_amendment(*, idea: Idea, amendment_id: int) -> Amendment:
    """One amendment of an idea the caller got from `access_idea`; NotFound when it belongs to another idea."""
    amendment = Amendment.objects.select_related("amender", "revision").filter(idea=idea, pk=amendment_id).first()
    if amendment is None:
        raise NotFound(gettext("No such amendment."))
    amendment.idea = idea
    return amendment


def idea_revision(*, idea: Idea, number: int) -> IdeaRevision:
    """One revision of an idea the caller got from `access_idea`, by its number."""
    revision = IdeaRevision.objects.filter(idea=idea, number=number).first()
    if revision is None:
        raise NotFound(gettext("No such revision."))
    return revision


def idea_comments(idea: Idea) -> list[Comment]:
    """The visible comments of an idea the caller got from `access_idea`, oldest first, with their authors."""
    return list(idea.comments.filter(hidden=False).select_related("author").order_by("created_at", "id"))


def idea_with_author(idea_id: int) -> Idea:
    """An idea and its author, by id, with no access check: for a caller that has just written it."""
    return Idea.objects.select_related("author").get(pk=idea_id)


def decline_reasons() -> list[DeclineReason]:
    """The reasons staff may give to decline an idea, by label."""
    return list(DeclineReason.objects.filter(is_active=True).order_by("label"))


@dataclass(frozen=True, slots=True)
class MissingText:
    """One piece of staff-written content that some language of the site lacks."""

    kind: str  # "campaign" or "decline_reason"
    object_id: int
    name: str  # the campaign's title or the reason's label, as the reader sees it
    part: str  # "title", "brief", "stage:<stage>" or "label"
    languages: tuple[str, ...]  # the codes that lack it


def missing_translations() -> list[MissingText]:
    """Campaign titles, briefs, renamed stages and active decline reasons that some language lacks.

    Two queries whatever the number of campaigns and reasons. A stage renamed in one
    language and not another counts as missing there: its readers see the other name.
    """
    codes = tuple(settings.MODELTRANSLATION_LANGUAGES)
    columns = [f"{part}_{code}" for part in ("title", "brief", "stage_labels") for code in codes]
    found: list[MissingText] = []
    for campaign in Campaign.objects.order_by("-starts_at", "pk").only("pk", *columns):
        name = campaign.title
        for part in ("title", "brief"):
            lacking = tuple(c for c in codes if not (getattr(campaign, f"{part}_{c}") or "").strip())
            if lacking and len(lacking) < len(codes):
                found.append(MissingText("campaign", campaign.pk, name, part, lacking))
        labels = {c: getattr(campaign, f"stage_labels_{c}") or {} for c in codes}
        for stage in Stage:
            lacking = tuple(c for c in codes if not labels[c].get(stage.value))
            if lacking and len(lacking) < len(codes):
                found.append(MissingText("campaign", campaign.pk, name, f"stage:{stage.value}", lacking))
    reasons = DeclineReason.objects.filter(is_active=True).order_by("pk").only("pk", *(f"label_{c}" for c in codes))
    for reason in reasons:
        lacking = tuple(c for c in codes if not (getattr(reason, f"label_{c}") or "").strip())
        if lacking:
            found.append(MissingText("decline_reason", reason.pk, reason.label, "label", lacking))
    return found


@dataclass(frozen=True, slots=True)
class AuditLink:
    """What an audit line is about, in words, and where it is (empty for what no longer exists)."""

    label: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One staff action of the audit log, as a person reads it: who, did what, to what, and the particulars."""

    event: Event
    actor: Member | None
    action: str
    subject: AuditLink
    into: AuditLink | None
    reason: str
    particulars: str


def _audit_actions() -> dict[str, str]:
    # a context of their own: "suspended" here is a verb, on a profile it describes the member
    return {
        "moderation.flagged": pgettext("audit log", "reported"),
        "moderation.hidden": pgettext("audit log", "hid"),
        "moderation.restored": pgettext("audit log", "restored"),
        "moderation.dismissed": pgettext("audit log", "dismissed a report on"),
        "member.suspended": pgettext("audit log", "suspended"),
        "member.unsuspended": pgettext("audit log", "lifted the suspension of"),
        "member.role_changed": pgettext("audit log", "changed the role of"),
        "idea.merged": pgettext("audit log", "merged"),
    }


def _audit_lines(audit: list[Event]) -> list[AuditLine]:
    """The audit events in words, with links to the ideas, comments and members they name (three queries)."""
    idea_ids: set[int] = {e.object_id for e in audit if e.object_type == "idea" and e.object_id is not None}
    idea_ids |= {e.details["into"] for e in audit if isinstance(e.details.get("into"), int)}
    comment_ids = {e.object_id for e in audit if e.object_type == "comment" and e.object_id is not None}
    comments = {c.pk: c for c in Comment.objects.filter(pk__in=comment_ids).only("id", "idea_id", "body")}
    titles = dict(
        Idea.objects.filter(pk__in=idea_ids | {c.idea_id for c in comments.values()}).values_list("pk", "title")
    )
    people = members_by_id([e.actor_id for e in audit] + [e.object_id for e in audit if e.object_type == "member"])
    actions = _audit_actions()

    def idea_link(pk: int | None) -> AuditLink:
        if pk in titles:
            return AuditLink(gettext("idea “{title}”").format(title=titles[pk]), f"/ideas/{pk}/")
        return AuditLink(gettext("idea #{number}").format(number=pk))

    def subject(e: Event) -> AuditLink:
        if e.object_type == "idea":
            return idea_link(e.object_id)
        if e.object_type == "comment" and e.object_id in comments:
            c = comments[e.object_id]
            words = " ".join(c.body.split()[:8])
            return AuditLink(gettext("a comment: “{words}”").format(words=words), f"/ideas/{c.idea_id}/#comment-{c.pk}")
        if e.object_type == "member" and e.object_id in people:
            return AuditLink(people[e.object_id].name, f"/members/{e.object_id}/")
        return AuditLink(f"{e.object_type} #{e.object_id}")

    lines = []
    for e in audit:
        details = e.details or {}
        particulars = ""
        if e.verb == "idea.merged":
            particulars = gettext("supporters carried over: {carried}; already supporting it: {already}").format(
                carried=details.get("carried_supporters", 0), already=details.get("already_supporters", 0)
            )
        elif e.verb == "member.role_changed":
            particulars = gettext("from {old} to {new}").format(
                old=details.get("from", "?"), new=details.get("to", "?")
            )
        lines.append(
            AuditLine(
                event=e,
                actor=people.get(e.actor_id or 0),
                action=actions.get(e.verb, e.verb),
                subject=subject(e),
                into=idea_link(details["into"]) if e.verb == "idea.merged" and "into" in details else None,
                reason=str(details.get("reason", "")),
                particulars=particulars,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class ModerationPage:
    """What the moderation page shows: the open reports, and the latest staff actions in words."""

    flags: QuerySet[Flag]
    audit: list[AuditLine]


def moderation_page() -> ModerationPage:
    """The open reports and the audit trail of moderation and staff actions (five queries)."""
    return ModerationPage(flags=flags_open(), audit=_audit_lines(moderation_audit()))


@dataclass(frozen=True, slots=True)
class Scorecards:
    """An idea's scorecards: the criteria its campaign scores on, each reviewer's card, and the mean per criterion."""

    criteria: list[str]
    reviews: list[Review]
    means: dict[str, float]


def idea_scorecards(idea: Idea) -> Scorecards:
    """The reviews of an idea, oldest first, with the mean of each criterion over the cards that score it."""
    from prosumo.ideas.services.reviews import DEFAULT_CRITERIA

    reviews = list(Review.objects.filter(idea=idea).order_by("created_at", "id"))
    criteria = list(idea.campaign.scorecard_criteria or DEFAULT_CRITERIA)
    means: dict[str, float] = {}
    for name in dict.fromkeys([*criteria, *sorted({k for r in reviews for k in r.scores})]):
        values = [r.scores[name] for r in reviews if name in r.scores]
        if values:
            means[name] = sum(values) / len(values)
    return Scorecards(criteria=criteria, reviews=reviews, means=means)


def flags_open() -> QuerySet[Flag]:
    """Reports moderators have not resolved yet, oldest first, with what they are about."""
    return (
        Flag.objects.filter(resolved_at__isnull=True)
        .select_related("idea", "comment", "comment__idea", "reporter")
        .order_by("created_at")
    )


# --- invitations --------------------------------------------------------------------

INVITATIONS_LISTED = 50


def invitation_part(invitation: Invitation) -> dict[str, Any]:
    """For the invitation's page (registered with community): the campaign it opens, if any."""
    offer = CampaignInvitation.objects.select_related("campaign").filter(pk=invitation.pk).first()
    return {"campaign": offer.campaign if offer is not None else None}


def invitations_latest() -> QuerySet[Invitation]:
    """The latest invitations, newest first, with who took them up and the campaign each is to, if any."""
    latest = Invitation.objects.select_related("accepted_by", "offer__campaign").order_by("-created_at")
    return latest[:INVITATIONS_LISTED]


MERGE_TARGETS_SHOWN = 200
MERGE_MATCHES_NAMED = 5


def _merge_candidates(*, idea: Idea, member: Any) -> QuerySet[Idea]:
    """Ideas `idea` may be merged into: alive, in its campaign, visible to `member`, not itself."""
    return (
        Idea.objects.visible_to(member)
        .filter(campaign_id=idea.campaign_id)
        .exclude(pk=idea.pk)
        .exclude(stage__in=[Stage.MERGED, Stage.DECLINED])
    )


def merge_targets(*, idea: Idea, member: Any) -> list[tuple[int, str]]:
    """(number, title) of the ideas staff may merge `idea` into, most supported first, for the form's search list."""
    candidates = _merge_candidates(idea=idea, member=member).order_by("-support_count", "-id")
    return list(candidates.values_list("pk", "title")[:MERGE_TARGETS_SHOWN])


def merge_target_named(*, idea: Idea, member: Any, text: str) -> int:
    """The number of the idea `text` names as the target of a merge: "12", "#12", "#12 Its title" or part of its title.

    A title must name one idea: the one whose whole title it is, else the only one containing
    it; otherwise the error says how many match (and which, when they are few).
    """
    text = text.strip()
    # "#12 ..." (as the search list offers it) or digits alone; "3 tents in one" is a title
    number = re.match(r"#\s*(\d{1,18})(?:\s|$)|(\d{1,18})$", text)
    if number:
        return int(number.group(1) or number.group(2))
    candidates = _merge_candidates(idea=idea, member=member).filter(title__icontains=text).order_by("pk")
    matches = list(candidates.values_list("pk", "title")[: MERGE_MATCHES_NAMED + 1])
    exact = [pk for pk, title in matches if title.casefold() == text.casefold()]
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        raise InvalidInput(
            gettext("No idea of this campaign that can take a merge has “{text}” in its title.").format(text=text),
            fields={"target": ["not_found"]},
            code="merge_target_not_found",
        )
    if len(matches) > MERGE_MATCHES_NAMED:
        found = gettext("more than {n}").format(n=MERGE_MATCHES_NAMED)
    else:
        found = ", ".join(f"#{pk} {title}" for pk, title in matches)
    raise InvalidInput(
        gettext("Several ideas have “{text}” in their title ({found}): give more of the title, or its number.").format(
            text=text, found=found
        ),
        fields={"target": ["ambiguous"]},
        code="merge_target_ambiguous",
    )
