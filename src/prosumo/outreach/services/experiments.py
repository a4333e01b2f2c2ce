"""Experiments: members given one arm each (a message in a channel), exposure through tracked links, conversions.

Each write is one transaction with its event: ``message.assigned``, ``message.exposed``,
``message.converted`` (docs/events.md), which reach the dataset like every event.
"""

from __future__ import annotations

import random
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext

from prosumo.activity.models import Event
from prosumo.activity.services import event_record
from prosumo.commerce.models import Order
from prosumo.community.models import Member, Segment
from prosumo.core.errors import Conflict, InvalidInput, NotFound
from prosumo.outreach.codes import code_read
from prosumo.outreach.models import (
    Allocation,
    Arm,
    Assignment,
    Channel,
    Experiment,
    ExperimentStatus,
    Message,
)
from prosumo.outreach.permissions import require_outreach_staff

NAME_MAX = 160
LINK_SALT = "prosumo.outreach.link"
#: The landing actions a conversion may be.
ACTIONS = ("idea_support", "survey_answer", "order", "sign_up")
#: The landing actions recorded by themselves, by the verb of their event. A support is not
#: among them: a reaction to every vote would cost each vote an outbox row and a task (the
#: vote path is measured, bench/RESULTS.md); the periodic `support_conversions` finds them.
CONVERSION_VERBS = {"survey.answered": "survey_answer"}
#: The event of a member's support (or up-vote) of an idea.
SUPPORT_VERB = "idea.supported"


def experiment_create(
    *,
    actor: Any,
    name: str,
    arms: list[tuple[int, int]],
    segment_id: int | None = None,
    allocation: str = Allocation.RANDOM,
) -> Experiment:
    """Staff set up an experiment: two or more arms (message id, channel id), a segment (None: everyone), an allocation."""
    staff = require_outreach_staff(actor)
    name = name.strip()
    problems: dict[str, list[str]] = {}
    if not name or len(name) > NAME_MAX:
        problems["name"] = [gettext("Give the experiment a name of at most {n} characters.").format(n=NAME_MAX)]
    if allocation not in Allocation.values:
        problems["allocation"] = [gettext("The allocation is random or thompson.")]
    segment = None
    if segment_id is not None:
        segment = Segment.objects.filter(pk=segment_id).first()
        if segment is None:
            problems["segment_id"] = [gettext("No such segment.")]
    pairs = list(dict.fromkeys((int(m), int(c)) for m, c in arms))
    messages = Message.objects.in_bulk([m for m, _ in pairs])
    channels = Channel.objects.in_bulk([c for _, c in pairs])
    if len(pairs) < 2:
        problems["arms"] = [gettext("An experiment compares two arms or more.")]
    elif any(m not in messages or c not in channels for m, c in pairs):
        problems["arms"] = [gettext("Each arm is a message and a channel that exist.")]
    if problems:
        raise InvalidInput(gettext("The experiment could not be created."), fields=problems)
    with transaction.atomic():
        experiment = Experiment.objects.create(name=name, segment=segment, allocation=allocation, created_by=staff)
        Arm.objects.bulk_create([Arm(experiment=experiment, message_id=m, channel_id=c) for m, c in pairs])
        event_record(
            verb="message.experiment_created",
            actor_id=staff.pk,
            object_type="experiment",
            object_id=experiment.pk,
            details={"experiment": experiment.pk, "segment": segment_id, "allocation": allocation, "arms": len(pairs)},
        )
    return experiment


def arm_details(arm: Arm, **more: Any) -> dict[str, Any]:
    """What a member's step in an experiment records about their arm: enough for the analytics to compare
    co-produced and company messages by medium from the dataset alone (analytics.metrics.messages)."""
    return {
        "experiment": arm.experiment_id,
        "arm": arm.pk,
        "company": arm.message.company,
        "medium": arm.channel.medium,
        **more,
    }


def locked_experiment(experiment_id: int) -> Experiment:
    """The experiment, its row locked until the caller's transaction ends; NotFound if there is none."""
    experiment = Experiment.objects.select_for_update().filter(pk=experiment_id).first()
    if experiment is None:
        raise NotFound(gettext("No such experiment."))
    return experiment


def experiment_start(*, actor: Any, experiment_id: int) -> Experiment:
    """Start an experiment: its segment's members are given their arms by a task, after the commit."""
    staff = require_outreach_staff(actor)
    with transaction.atomic():
        experiment = locked_experiment(experiment_id)
        if experiment.status != ExperimentStatus.DRAFT:
            raise Conflict(gettext("This experiment has started already."), code="experiment_started")
        experiment.status = ExperimentStatus.RUNNING
        experiment.started_at = timezone.now()
        experiment.save(update_fields=["status", "started_at"])
        event_record(
            verb="message.experiment_started",
            actor_id=staff.pk,
            object_type="experiment",
            object_id=experiment.pk,
            details={"experiment": experiment.pk},
        )
        from prosumo.outreach.tasks import assign_experiment

        transaction.on_commit(lambda: assign_experiment.enqueue(experiment_id))
    return experiment


def experiment_finish(*, actor: Any, experiment_id: int) -> Experiment:
    """Stop an experiment: no new assignment, exposure or conversion is recorded."""
    staff = require_outreach_staff(actor)
    with transaction.atomic():
        experiment = locked_experiment(experiment_id)
        if experiment.status != ExperimentStatus.RUNNING:
            raise Conflict(gettext("Only a running experiment can be finished."), code="experiment_not_running")
        experiment.status = ExperimentStatus.FINISHED
        experiment.finished_at = timezone.now()
        experiment.save(update_fields=["status", "finished_at"])
        event_record(
            verb="message.experiment_finished",
            actor_id=staff.pk,
            object_type="experiment",
            object_id=experiment.pk,
            details={"experiment": experiment.pk},
        )
    return experiment


def arm_choose(experiment: Experiment, rng: random.Random) -> Arm:
    """The arm for the next member: uniform at random, or by Thompson sampling on each arm's conversions so far.

    Thompson sampling draws a conversion rate for each arm from its Beta(1 + conversions,
    1 + assigned - conversions) posterior and gives the arm with the highest draw, so arms
    that convert better are given more often while the others still get tried.
    """
    arms = list(
        experiment.arms.select_related("message", "channel").annotate(
            assigned=Count("assignments"),
            converted=Count("assignments", filter=Q(assignments__converted_at__isnull=False)),
        )
    )
    if experiment.allocation == Allocation.THOMPSON:
        draws = [rng.betavariate(1 + a.converted, 1 + a.assigned - a.converted) for a in arms]  # type: ignore[attr-defined]
        return arms[max(range(len(arms)), key=draws.__getitem__)]
    return rng.choice(arms)


def assignment_make(
    *, experiment_id: int, member_id: int, rng: random.Random | None = None, arm_id: int | None = None
) -> Assignment:
    """Give a member of a running experiment's segment one arm; the one they have when they have one already.

    ``arm_id`` gives that arm instead of choosing one (a visitor who joined through the
    arm's own landing link saw that arm and no other).

    The unique constraint on (experiment, member) decides between two writers at the same
    time: the loser reads the winner's assignment, so a member never gets two arms.
    """
    experiment = Experiment.objects.filter(pk=experiment_id).first()
    if experiment is None:
        raise NotFound(gettext("No such experiment."))
    if experiment.status != ExperimentStatus.RUNNING:
        raise Conflict(gettext("This experiment is not running."), code="experiment_not_running")
    member = Member.objects.filter(pk=member_id, is_active=True).first()
    if member is None or (experiment.segment_id is not None and member.segment_id != experiment.segment_id):
        raise InvalidInput(gettext("That member is not in the experiment's segment."), code="not_in_segment")
    found = Assignment.objects.filter(experiment=experiment, member=member).first()
    if found is not None:
        return found
    chosen = experiment.arms.filter(pk=arm_id).first() if arm_id is not None else None
    arm = chosen or arm_choose(experiment, rng or random.SystemRandom())
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(experiment=experiment, arm=arm, member=member)
            event_record(
                verb="message.assigned",
                actor_id=None,
                object_type="message",
                object_id=arm.message_id,
                target_member_id=member.pk,
                details=arm_details(arm),
            )
    except IntegrityError:
        return Assignment.objects.get(experiment=experiment, member=member)
    return assignment


def experiment_assign(*, experiment_id: int) -> int:
    """Give every member of a running experiment's segment their arm (idempotent); how many were new."""
    experiment = Experiment.objects.filter(pk=experiment_id, status=ExperimentStatus.RUNNING).first()
    if experiment is None:
        return 0
    members = Member.objects.filter(is_active=True).exclude(
        pk__in=Assignment.objects.filter(experiment=experiment).values("member_id")
    )
    if experiment.segment_id is not None:
        members = members.filter(segment_id=experiment.segment_id)
    rng = random.SystemRandom()
    made = 0
    for member_id in members.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=500):
        assignment_make(experiment_id=experiment.pk, member_id=member_id, rng=rng)
        made += 1
    return made


def link_token(assignment: Assignment) -> str:
    """The signed token of an assignment's tracked link: it names the assignment and nothing a reader could change."""
    return signing.dumps({"a": assignment.pk}, salt=LINK_SALT, compress=True)


def link_open(*, token: str) -> Assignment:
    """A tracked link is opened: the assignment's exposure is recorded the first time; a replay records nothing."""
    return _exposure(token, via="")


def pixel_load(*, token: str) -> Assignment:
    """The tracking image of an email arm is loaded: the member's exposure, recorded once, as `link_open` does.

    The token is the assignment's link token (`link_token`); whichever comes first, the
    image or the link, is the exposure, and the other records nothing.
    """
    return _exposure(token, via="pixel")


def _exposure(token: str, *, via: str) -> Assignment:
    try:
        data = signing.loads(token, salt=LINK_SALT)
    except signing.BadSignature as exc:
        raise InvalidInput(gettext("This link is not valid: it was changed or cut short."), code="bad_link") from exc
    assignment_id = data.get("a") if isinstance(data, dict) else None
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("experiment", "arm__message", "arm__channel")
            .filter(pk=assignment_id)
            .first()
            if isinstance(assignment_id, int)
            else None
        )
        if assignment is None:
            raise InvalidInput(gettext("This link is not valid: it was changed or cut short."), code="bad_link")
        if assignment.exposed_at is not None or assignment.experiment.status != ExperimentStatus.RUNNING:
            return assignment
        assignment.exposed_at = timezone.now()
        assignment.save(update_fields=["exposed_at"])
        event_record(
            verb="message.exposed",
            actor_id=None,
            object_type="message",
            object_id=assignment.arm.message_id,
            target_member_id=assignment.member_id,
            details=arm_details(assignment.arm, **({"via": via} if via else {})),
        )
    return assignment


def conversion_record(*, experiment_id: int, member_id: int, action: str) -> Assignment:
    """A member of a running experiment took a landing action after seeing their arm: a conversion, counted once.

    A member outside the experiment, or one who has not opened their link, is refused
    and nothing changes.
    """
    if action not in ACTIONS:
        raise InvalidInput(gettext("Unknown landing action."), fields={"action": ["invalid"]})
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .select_related("experiment", "arm__message", "arm__channel")
            .filter(experiment_id=experiment_id, member_id=member_id)
            .first()
        )
        if assignment is None:
            raise InvalidInput(gettext("That member is not in the experiment."), code="not_in_experiment")
        if assignment.experiment.status != ExperimentStatus.RUNNING:
            raise Conflict(gettext("This experiment is not running."), code="experiment_not_running")
        if assignment.exposed_at is None:
            raise InvalidInput(gettext("That member has not seen their message yet."), code="not_exposed")
        if assignment.converted_at is not None:
            return assignment
        assignment.converted_at = timezone.now()
        assignment.conversion = action
        assignment.save(update_fields=["converted_at", "conversion"])
        event_record(
            verb="message.converted",
            actor_id=member_id,
            object_type="message",
            object_id=assignment.arm.message_id,
            target_member_id=member_id,
            details=arm_details(assignment.arm, action=action),
        )
    return assignment


def conversion_event(*, event: Event) -> None:
    """The reaction to a landing action (a survey answer): a conversion in each running experiment where the member
    opened their link and has not converted yet."""
    action = CONVERSION_VERBS.get(event.verb)
    if action is None or event.actor_id is None:
        return
    pending = Assignment.objects.filter(
        member_id=event.actor_id,
        experiment__status=ExperimentStatus.RUNNING,
        exposed_at__isnull=False,
        exposed_at__lte=event.occurred_at,
        converted_at__isnull=True,
    ).values_list("experiment_id", flat=True)
    for experiment_id in list(pending):
        conversion_record(experiment_id=experiment_id, member_id=event.actor_id, action=action)


def support_conversions() -> int:
    """Members of running experiments who supported an idea after opening their link: each a conversion, once.

    Run every minute (`outreach.tasks.convert_supports`), so a vote costs nothing more. A
    down-vote is no support, nor a support that a merge of ideas carried over for the
    member; how many conversions were recorded.
    """
    supported = Event.objects.filter(
        verb=SUPPORT_VERB,
        actor_id=OuterRef("member_id"),
        occurred_at__gte=OuterRef("exposed_at"),
        value__gt=0,
    ).exclude(details__has_key="carried_from")
    pending = (
        Assignment.objects.filter(
            experiment__status=ExperimentStatus.RUNNING, exposed_at__isnull=False, converted_at__isnull=True
        )
        .filter(Exists(supported))
        .values_list("experiment_id", "member_id")
    )
    recorded = 0
    for experiment_id, member_id in list(pending):
        try:
            conversion_record(experiment_id=experiment_id, member_id=member_id, action="idea_support")
        except Conflict:
            continue  # finished since the query
        recorded += 1
    return recorded


def _exposure_record(assignment: Assignment, *, via: str) -> None:
    """Record that a member saw their arm some other way than their own link (in the caller's transaction)."""
    assignment.exposed_at = timezone.now()
    assignment.save(update_fields=["exposed_at"])
    event_record(
        verb="message.exposed",
        actor_id=None,
        object_type="message",
        object_id=assignment.arm.message_id,
        target_member_id=assignment.member_id,
        details={"experiment": assignment.experiment_id, "arm": assignment.arm_id, "via": via},
    )


def signup_conversion(*, member_id: int, code: str) -> Assignment | None:
    """A visitor who opened an arm's landing link (`/o/x/<code>/`) has joined: that arm is theirs, seen and converted.

    Nothing is recorded for a code that was changed or is not one of ours, an experiment
    that is not running, or a new member outside the experiment's segment. A member who
    has an arm already (they cannot, being new) keeps it and nothing changes.
    """
    parsed = code_read(code)
    if parsed is None:
        return None
    experiment_id, arm_id = parsed
    arm = Arm.objects.filter(pk=arm_id, experiment_id=experiment_id, experiment__status=ExperimentStatus.RUNNING)
    if not arm.exists():
        return None
    with transaction.atomic():
        try:
            assignment = assignment_make(experiment_id=experiment_id, member_id=member_id, arm_id=arm_id)
        except InvalidInput:
            return None  # outside the segment
        locked = Assignment.objects.select_for_update().select_related("arm").get(pk=assignment.pk)
        if locked.arm_id != arm_id or locked.converted_at is not None:
            return None
        if locked.exposed_at is None:
            _exposure_record(locked, via="landing")
    return conversion_record(experiment_id=experiment_id, member_id=member_id, action="sign_up")


def order_conversions(*, order_ids: list[int]) -> int:
    """Orders carrying an experiment's code: each is a conversion of its member's arm, once; how many were recorded.

    An order counts only when its code is intact, its member was given that very arm of a
    running experiment before ordering, and has not converted yet; the code itself shows
    the member saw the arm, so an arm not yet seen is recorded as seen first. Any other
    order (no member, a changed code, a member outside the experiment or on another arm)
    changes nothing.
    """
    recorded = 0
    for order in Order.objects.filter(pk__in=order_ids, member__isnull=False).exclude(code="").order_by("pk"):
        parsed = code_read(order.code)
        if parsed is None or order.member_id is None:
            continue
        experiment_id, arm_id = parsed
        with transaction.atomic():
            assignment = (
                Assignment.objects.select_for_update()
                .select_related("arm", "experiment")
                .filter(experiment_id=experiment_id, member_id=order.member_id, arm_id=arm_id)
                .first()
            )
            if (
                assignment is None
                or assignment.experiment.status != ExperimentStatus.RUNNING
                or assignment.converted_at is not None
                or order.ordered_at < assignment.assigned_at
            ):
                continue
            if assignment.exposed_at is None:
                _exposure_record(assignment, via="code")
            conversion_record(experiment_id=experiment_id, member_id=assignment.member_id, action="order")
            recorded += 1
    return recorded


#: The commerce events after which orders may carry a conversion: imported, or matched to their member later.
ORDER_VERBS = ("orders.imported", "orders.matched")


def orders_event(*, event: Event) -> None:
    """The reaction to orders imported or matched: those with a code become conversions (`order_conversions`)."""
    orders = Order.objects.filter(member__isnull=False).exclude(code="")
    if event.verb == "orders.imported":
        batch = (event.details or {}).get("batch")
        if not isinstance(batch, str):
            return
        orders = orders.filter(batch=batch)
    elif (event.details or {}).get("member_id"):
        orders = orders.filter(member_id=event.details["member_id"])
    order_conversions(order_ids=list(orders.values_list("pk", flat=True)))
