"""The notification fan-out and the daily digest at 100,000 members, through a real worker and a real SMTP sink.

    python -m bench mail                      # 100,000 members, 3 repeats
    python -m bench mail --members 10000      # a smaller run

What it does (bench/README.md, "Mail"):

1. A SQLite file in bench/out/ (or the database `DATABASE_URL` names), migrated, with
   `--members` members who take the daily digest, all following one idea and half of them
   supporting it; an SMTP sink (aiosmtpd, in this process) on a free port.
2. Fan-out: a reviewer moves the idea (`stage_change`, the real service; timed, with its
   queries counted), then a `prosumo worker --batch` process runs the queued `fan_out`
   task, which writes one notification per member.
3. Digest: `send_daily_digests` is enqueued and a `prosumo worker --batch` process runs
   it: one email per member to the sink.
4. While the worker runs, a thread samples every 0.2 s the queued and running tasks of
   the database queue and the outgoing-mail rows in flight (pending or sending).

Each repeat puts the fan-out and the digest back where they started. Prints and writes
medians to bench/out/mail-<UTC time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "out"


class Sink:
    """An SMTP server that keeps only what it needs to check delivery: the count and the Message-IDs."""

    def __init__(self) -> None:
        self.count = 0
        self.message_ids: set[str] = set()
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.original_content or envelope.content
        header = content.split(b"\r\n\r\n", 1)[0]
        message_id = ""
        for line in header.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        with self._lock:
            self.count += 1
            self.message_ids.add(message_id)
        return "250 OK"


@dataclass
class Sample:
    queued_tasks: int = 0
    mail_in_flight: int = 0


@dataclass
class Phase:
    seconds: float = 0.0
    peak_queued_tasks: int = 0
    peak_mail_in_flight: int = 0
    worker_peak_rss_mb: float = 0.0
    worker_cpu_seconds: float = 0.0
    sink_cpu_seconds: float = 0.0
    load_average: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load(members: int) -> tuple[int, int]:
    """Members on the daily digest, an idea they all follow (half support it), and a reviewer; (idea, reviewer)."""
    from prosumo.community.bootstrap import create_verified_member, ensure_site
    from prosumo.community.models import EmailPreference, Member
    from prosumo.ideas.models import Follow, Vote
    from prosumo.ideas.services import campaign_create, idea_submit

    ensure_site()
    admin = create_verified_member(email="bench-admin@example.org", password="correct horse 12", role="admin")
    reviewer = create_verified_member(email="bench-reviewer@example.org", password="correct horse 12", role="reviewer")
    campaign = campaign_create(actor=admin, title="Mail benchmark", brief="Everyone follows one idea.")
    idea = idea_submit(
        actor=admin,
        campaign_id=campaign.pk,
        title="An idea the whole community follows",
        body="Every member follows this idea, so a change to it tells the whole community.",
    )
    batch = 5000
    for start in range(0, members, batch):
        created = Member.objects.bulk_create(
            [
                Member(
                    email=f"member{n}@example.org",
                    display_name=f"Member {n}",
                    email_preference=EmailPreference.DAILY,
                    locale="es" if n % 4 == 0 else "en",
                    password="!",  # no password: these members never sign in
                )
                for n in range(start, min(start + batch, members))
            ]
        )
        Follow.objects.bulk_create([Follow(idea=idea, member=m) for m in created])
        Vote.objects.bulk_create([Vote(idea=idea, member=m, value=1) for m in created[::2]])
        print(f"\r  members loaded: {start + len(created):,}", end="", flush=True)
    print()
    return idea.pk, reviewer.pk


def sampler(stop: threading.Event, samples: list[Sample]) -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from prosumo.core.models import OutgoingMail

    try:
        while not stop.is_set():
            samples.append(
                Sample(
                    queued_tasks=DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count(),
                    mail_in_flight=OutgoingMail.objects.filter(status__in=["pending", "sending"]).count(),
                )
            )
            stop.wait(0.2)
    finally:
        connection.close()


def rss_of(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_worker(env: dict[str, str]) -> Phase:
    """`prosumo worker --batch` until the queue is empty, sampled meanwhile."""
    samples: list[Sample] = []
    stop = threading.Event()
    thread = threading.Thread(target=sampler, args=(stop, samples))
    thread.start()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_before = time.process_time()
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "-m", "prosumo.cli", "worker", "--batch", "--no-schedule"], env=env, cwd=ROOT
    )
    peak_rss = 0.0
    while worker.poll() is None:
        peak_rss = max(peak_rss, rss_of(worker.pid))
        time.sleep(0.2)
    seconds = time.monotonic() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    sink_cpu = time.process_time() - own_before  # this process: the SMTP sink and the sampler
    stop.set()
    thread.join()
    if worker.returncode != 0:
        raise SystemExit(f"the worker exited with {worker.returncode}")
    return Phase(
        seconds=seconds,
        peak_queued_tasks=max((s.queued_tasks for s in samples), default=0),
        peak_mail_in_flight=max((s.mail_in_flight for s in samples), default=0),
        worker_peak_rss_mb=round(peak_rss, 1),
        worker_cpu_seconds=round(
            children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime, 1
        ),
        sink_cpu_seconds=round(sink_cpu, 1),
        load_average=os.getloadavg()[0],
    )


def fan_out_phase(idea_id: int, reviewer_id: int, repeat: int, env: dict[str, str]) -> Phase:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from prosumo.community.models import Member
    from prosumo.ideas.models import Idea
    from prosumo.ideas.services import stage_change
    from prosumo.notifications.models import Fanout, Notification

    reviewer = Member.objects.get(pk=reviewer_id)
    Idea.objects.filter(pk=idea_id).update(stage="open")  # each repeat makes the same real move
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            stage_change(
                actor=reviewer, idea_id=idea_id, to_stage="under_review", message="The whole community is told."
            )
        request_ms = (time.perf_counter() - started) * 1000
    phase = run_worker(env)
    fanout = Fanout.objects.latest("pk")
    phase.detail = {
        "request_ms": round(request_ms, 1),
        "request_queries": len(queries.captured_queries),
        "notifications": Notification.objects.filter(fanout=fanout).count(),
    }
    return phase


def digest_phase(env: dict[str, str], sink: Sink) -> Phase:
    from django.db import transaction

    from prosumo.core.models import OutgoingMail
    from prosumo.notifications.models import Notification
    from prosumo.notifications.tasks import send_daily_digests

    # Only the latest fan-out's notifications wait, one per member, as after one day's change.
    Notification.objects.update(digest_pending=False)
    latest = Notification.objects.latest("pk").fanout_id
    Notification.objects.filter(fanout_id=latest).update(digest_pending=True, emailed_at=None)
    OutgoingMail.objects.all().delete()
    before_count, before_ids = sink.count, len(sink.message_ids)
    with transaction.atomic():
        transaction.on_commit(send_daily_digests.enqueue)
    phase = run_worker(env)
    phase.detail = {
        "digests_sent": OutgoingMail.objects.filter(status="sent").count(),
        "not_sent": OutgoingMail.objects.exclude(status="sent").count(),
        "received_by_sink": sink.count - before_count,
        "distinct_message_ids": len(sink.message_ids) - before_ids,
        "mails_per_second": round((sink.count - before_count) / phase.seconds, 1),
    }
    return phase


def median(phases: list[Phase], name: str) -> float:
    values = [getattr(p, name) if hasattr(p, name) else p.detail[name] for p in phases]
    return float(statistics.median(values))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench mail", description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = OUT / f"mail-{stamp}"
    folder.mkdir(parents=True)
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prosumo.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'mail.sqlite3'}"),
        "PROSUMO_DATA_DIR": str(folder),
        "PROSUMO_SECRET_KEY": os.environ.get("PROSUMO_SECRET_KEY", secrets.token_urlsafe(50)),
        "PROSUMO_TASKS": "database",
        "PROSUMO_EMAIL_HOST": "127.0.0.1",
        "PROSUMO_EMAIL_PORT": str(port),
        "PROSUMO_SSL_REDIRECT": "0",
        # Another version of src/ first on PYTHONPATH is the one measured (as for the platform benchmark).
        "PYTHONPATH": os.pathsep.join(p for p in [os.environ.get("PYTHONPATH", ""), str(ROOT / "src"), str(ROOT)] if p),
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"mail benchmark: {args.members:,} members, {args.repeats} repeats, database {connection.vendor}")
    call_command("migrate", "--noinput", verbosity=0)
    started = time.monotonic()
    idea_id, reviewer_id = load(args.members)
    print(f"  loaded in {time.monotonic() - started:.1f} s")
    fan_outs, digests = [], []
    try:
        for repeat in range(args.repeats):
            fan_out = fan_out_phase(idea_id, reviewer_id, repeat, env)
            print(
                f"  fan-out {repeat + 1}: {fan_out.seconds:.1f} s, {fan_out.detail}, peak queued tasks "
                f"{fan_out.peak_queued_tasks}, worker peak RSS {fan_out.worker_peak_rss_mb} MB"
            )
            fan_outs.append(fan_out)
            digest = digest_phase(env, sink)
            print(
                f"  digest {repeat + 1}: {digest.seconds:.1f} s, {digest.detail}, peak queued tasks "
                f"{digest.peak_queued_tasks}, peak mail in flight {digest.peak_mail_in_flight}, "
                f"worker peak RSS {digest.worker_peak_rss_mb} MB"
            )
            digests.append(digest)
    finally:
        controller.stop()
    load_average = os.getloadavg()
    result = {
        "date": stamp,
        "members": args.members,
        "database": connection.vendor,
        "mail_to": "aiosmtpd sink on 127.0.0.1 (real SMTP, in the benchmark's process)",
        "machine": {"cpus": os.cpu_count(), "load_average_at_end": load_average, "python": sys.version.split()[0]},
        "fan_out": [asdict(p) for p in fan_outs],
        "digest": [asdict(p) for p in digests],
        "medians": {
            "fan_out_seconds": median(fan_outs, "seconds"),
            "fan_out_request_ms": median(fan_outs, "request_ms"),
            "fan_out_worker_cpu_seconds": median(fan_outs, "worker_cpu_seconds"),
            "digest_seconds": median(digests, "seconds"),
            "digest_mails_per_second": median(digests, "mails_per_second"),
            "digest_worker_cpu_seconds": median(digests, "worker_cpu_seconds"),
            "digest_sink_cpu_seconds": median(digests, "sink_cpu_seconds"),
        },
    }
    path = OUT / f"mail-{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    ok = all(
        d.detail["received_by_sink"] == d.detail["distinct_message_ids"] == args.members and d.detail["not_sent"] == 0
        for d in digests
    ) and all(f.detail["notifications"] == args.members + 1 for f in fan_outs)
    print(f"medians: {result['medians']}")
    print(f"every digest delivered exactly once, every member told once: {'yes' if ok else 'NO'}")
    print(f"raw figures: {path}")
    return 0 if ok else 1
