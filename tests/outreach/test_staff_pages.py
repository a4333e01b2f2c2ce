"""The staff pages of experiments and of changing a brief: set up, start, mail, finish, and the counts per arm."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from prosumo.activity.models import Event
from prosumo.community.models import Segment
from prosumo.outreach import services
from prosumo.outreach.codes import code_read
from prosumo.outreach.models import Arm, Assignment, Experiment, ExperimentStatus, MessageBrief


@pytest.fixture
def pool(admin, member, brief):
    """A shortlisted member's message, a company message, a draft nobody shortlisted, and two channels."""
    ours = services.message_propose(actor=member, brief_id=brief.pk, text="Sleep under the stars, dry.")
    services.message_shortlist(actor=admin, message_id=ours.pk)
    company = services.message_propose(actor=admin, brief_id=brief.pk, text="Our tent, your night out.", company=True)
    draft = services.message_propose(actor=member, brief_id=brief.pk, text="A draft nobody shortlisted.")
    email = services.channel_create(actor=admin, name="newsletter", kind="email")
    shop = services.channel_create(actor=admin, name="shop", kind="in_store")
    return {"ours": ours, "company": company, "draft": draft, "email": email, "shop": shop}


@pytest.fixture
def gold(make_member):
    segment = Segment.objects.create(name="Gold", slug="gold")
    for _ in range(3):
        make_member(segment=segment)
    return segment


@pytest.mark.django_db
def test_staff_set_up_start_mail_and_finish_an_experiment_through_the_pages(
    login, admin, pool, gold, django_capture_on_commit_callbacks
):
    staff = login(admin)
    # the form offers the shortlisted and the company message, never the draft
    form = staff.get("/staff/outreach/experiments/").content.decode()
    assert "Sleep under the stars, dry." in form
    assert "Our tent, your night out." in form
    assert "A draft nobody shortlisted." not in form
    # when staff set it up: one arm per message and channel
    created = staff.post(
        "/staff/outreach/experiments/",
        {
            "name": "Spring",
            "message_ids": [pool["ours"].pk, pool["company"].pk],
            "channel_ids": [pool["email"].pk],
            "segment_id": gold.pk,
            "allocation": "random",
        },
    )
    experiment = Experiment.objects.get()
    assert (created.status_code, created["Location"]) == (302, f"/staff/outreach/experiments/{experiment.pk}/")
    assert sorted(experiment.arms.values_list("message_id", "channel_id")) == sorted(
        [(pool["ours"].pk, pool["email"].pk), (pool["company"].pk, pool["email"].pk)]
    )
    assert (experiment.segment_id, experiment.allocation) == (gold.pk, "random")
    page = staff.get(f"/staff/outreach/experiments/{experiment.pk}/").content.decode()
    assert "Start the experiment" in page
    assert "Send the email" not in page
    # then start: the segment's three members are given an arm each
    with django_capture_on_commit_callbacks(execute=True):
        started = staff.post(f"/staff/outreach/experiments/{experiment.pk}/start/")
    assert started["Location"] == f"/staff/outreach/experiments/{experiment.pk}/"
    assert Assignment.objects.filter(experiment=experiment).count() == 3
    page = staff.get(f"/staff/outreach/experiments/{experiment.pk}/").content.decode()
    assert "Send the email" in page
    staff.post(f"/staff/outreach/experiments/{experiment.pk}/mail/")
    staff.post(f"/staff/outreach/experiments/{experiment.pk}/finish/")
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.FINISHED
    assert experiment.mail_requested_at is not None
    # the page shows each arm's live counts, which add up to the segment
    page = staff.get(f"/staff/outreach/experiments/{experiment.pk}/").content.decode()
    for arm in experiment.arms.all():
        given = Assignment.objects.filter(arm=arm).count()
        assert f'<td class="assigned">{given}</td><td class="exposed">0</td><td class="converted">0</td>' in page
    listed = staff.get("/staff/outreach/experiments/").content.decode()
    assert f"<td>{experiment.get_status_display()}</td><td>3</td>" in listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"segment_id": 999_999}, "Select a valid choice."),
        ({"message_ids": []}, "An experiment compares two arms or more."),
        ({"channel_ids": []}, "An experiment compares two arms or more."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_input_on_the_experiment_form_shows_the_reason_and_changes_nothing(login, admin, pool, change, reason):
    staff = login(admin)
    staff.get("/staff/outreach/experiments/")
    events = Event.objects.count()
    values = {
        "name": "Spring",
        "message_ids": [pool["ours"].pk, pool["company"].pk],
        "channel_ids": [pool["email"].pk],
        "allocation": "thompson",
    }
    response = staff.post("/staff/outreach/experiments/", values | change)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert (Experiment.objects.count(), Arm.objects.count(), Event.objects.count()) == (0, 0, events)


@pytest.mark.django_db
def test_a_message_not_offered_cannot_be_slipped_in(login, admin, pool):
    response = login(admin).post(
        "/staff/outreach/experiments/",
        {"name": "X", "message_ids": [pool["ours"].pk, pool["draft"].pk], "channel_ids": [pool["email"].pk]},
    )
    assert response.status_code == 400
    assert Experiment.objects.count() == 0


@pytest.mark.django_db
def test_starting_twice_is_refused_with_the_reason(login, admin, pool):
    experiment = services.experiment_create(
        actor=admin, name="X", arms=[(pool["ours"].pk, pool["shop"].pk), (pool["company"].pk, pool["shop"].pk)]
    )
    staff = login(admin)
    staff.post(f"/staff/outreach/experiments/{experiment.pk}/start/")
    started_at = Experiment.objects.get().started_at
    again = staff.post(f"/staff/outreach/experiments/{experiment.pk}/start/", follow=True)
    assert "This experiment has started already." in again.content.decode()
    assert Experiment.objects.get().started_at == started_at
    # an experiment with no email arm offers no email
    assert "Send the email" not in again.content.decode()


@pytest.mark.django_db
def test_outside_email_the_page_gives_each_arms_code_and_each_members_link(
    login, admin, pool, gold, django_capture_on_commit_callbacks
):
    experiment = services.experiment_create(
        actor=admin,
        name="Shop",
        arms=[(pool["ours"].pk, pool["shop"].pk), (pool["company"].pk, pool["email"].pk)],
        segment_id=gold.pk,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.experiment_start(actor=admin, experiment_id=experiment.pk)
    staff = login(admin)
    page = staff.get(f"/staff/outreach/experiments/{experiment.pk}/").content.decode()
    shop_arm = experiment.arms.get(channel=pool["shop"])
    code = services.arm_code(shop_arm)
    assert f"<code>{code}</code>" in page
    assert f"http://testserver/o/x/{code}/" in page
    assert code_read(code) == (experiment.pk, shop_arm.pk)
    assert code_read(code.replace(f"-{shop_arm.pk}-", f"-{shop_arm.pk + 1}-")) is None
    # the CSV lists the members of the shop arm only, each with a link that opens their message
    rows = list(
        csv.reader(io.StringIO(staff.get(f"/staff/outreach/experiments/{experiment.pk}/links.csv").content.decode()))
    )
    in_shop = Assignment.objects.filter(arm=shop_arm).order_by("member_id")
    assert rows[0] == ["member_id", "name", "email", "channel", "link"]
    assert [(int(r[0]), r[3]) for r in rows[1:]] == [(a.member_id, "shop") for a in in_shop]
    for row in rows[1:]:
        assert staff.get(row[4].replace("http://testserver", "")).status_code == 200
    assert Assignment.objects.filter(arm=shop_arm, exposed_at__isnull=False).count() == len(rows) - 1


@pytest.mark.django_db
def test_the_experiment_pages_do_not_exist_for_members(login, admin, member, pool):
    experiment = services.experiment_create(
        actor=admin, name="X", arms=[(pool["ours"].pk, pool["shop"].pk), (pool["company"].pk, pool["shop"].pk)]
    )
    client = login(member)
    for path in ("", f"{experiment.pk}/", f"{experiment.pk}/links.csv"):
        assert client.get(f"/staff/outreach/experiments/{path}").status_code == 404
    assert client.post(f"/staff/outreach/experiments/{experiment.pk}/start/").status_code == 404
    assert client.post("/staff/outreach/experiments/", {"name": "Y"}).status_code == 404
    assert Experiment.objects.get().status == ExperimentStatus.DRAFT
    assert login(admin).get("/staff/outreach/experiments/999999/").status_code == 404


def _brief_values(brief, **change):
    values = {
        "title": brief.title,
        "product": brief.product,
        "channels": brief.channels,
        "languages": brief.languages,
        "tone": brief.tone,
        "length_min": brief.length_min,
        "length_max": brief.length_max,
        "deadline": timezone.localtime(brief.deadline).strftime("%Y-%m-%dT%H:%M"),
    }
    return values | change


@pytest.mark.django_db
def test_staff_change_a_brief_on_its_page(login, admin, brief):
    staff = login(admin)
    page = staff.get(f"/staff/outreach/briefs/{brief.pk}/edit/").content.decode()
    assert 'value="Spring launch"' in page
    later = (timezone.now() + timedelta(days=20)).replace(second=0, microsecond=0)
    changed = staff.post(
        f"/staff/outreach/briefs/{brief.pk}/edit/",
        _brief_values(brief, title="Summer launch", deadline=timezone.localtime(later).strftime("%Y-%m-%dT%H:%M")),
    )
    assert (changed.status_code, changed["Location"]) == (302, f"/outreach/briefs/{brief.pk}/")
    brief.refresh_from_db()
    assert (brief.title, brief.deadline) == ("Summer launch", later)
    event = Event.objects.get(verb="message.brief_edited")
    assert event.details == {"brief": brief.pk, "changed": ["deadline", "title"]}


@pytest.mark.django_db
def test_a_bad_brief_change_shows_the_reason_and_changes_nothing(login, admin, member, make_brief):
    brief = make_brief(deadline=(timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0))
    staff = login(admin)
    before = MessageBrief.objects.values().get()
    bad = staff.post(f"/staff/outreach/briefs/{brief.pk}/edit/", _brief_values(brief, length_min=50, length_max=20))
    assert bad.status_code == 400
    assert "The lengths are between 1 and 5000 characters, the shortest first." in bad.content.decode()
    same = staff.post(f"/staff/outreach/briefs/{brief.pk}/edit/", _brief_values(brief))
    assert same.status_code == 400
    assert "Nothing changed: edit the brief first." in same.content.decode()
    assert MessageBrief.objects.values().get() == before
    assert not Event.objects.filter(verb="message.brief_edited").exists()
    assert login(member).get(f"/staff/outreach/briefs/{brief.pk}/edit/").status_code == 404
