"""`prosumo`: one console command for everything an operator does."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from prosumo.core.supervisor import Child, Supervisor

app = typer.Typer(
    help="Prosumo: run a co-creation community with your customers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str) -> None:
    """Bad input: a clear message and exit code 2."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    raise typer.Exit(code=2)


def setup_django() -> None:
    _demo_folder_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prosumo.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        fail(f"Configuration: {exc}")


def call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


@app.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    call("migrate", "--noinput")
    from prosumo.community.bootstrap import ensure_site

    ensure_site()


@app.command()
def createadmin(
    email: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Create an admin account (email already verified)."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from prosumo.community.bootstrap import create_verified_member

    try:
        validate_email(email)
    except ValidationError:
        fail(f"{email!r} is not an email address.")
    if len(password) < 8:
        fail("Choose a password of at least 8 characters.")
    from prosumo.community.models import Member, Role

    if Member.objects.filter(email__iexact=email).exists():
        fail(f"A member with the email {email} exists already.")
    create_verified_member(email=email, password=password, role=Role.ADMIN, superuser=True)
    typer.echo(f"Admin {email} created.")


def worker_children(*, interval: float, schedule: bool) -> list[Child]:
    """One worker process per task queue, so that no kind of work waits behind another.

    Slow webhook receivers hold up only the "webhooks" worker, a long import or digest
    only the "bulk" one; mail on "default" goes out meanwhile. The "default" queue's
    worker also checks the periodic schedule.
    """
    from django.conf import settings

    return [
        Child(
            name=f"worker {queue}",
            command=[
                sys.executable,
                "-m",
                "prosumo.cli",
                "worker",
                "--queue",
                queue,
                "--interval",
                str(interval),
                "--schedule" if schedule and queue == "default" else "--no-schedule",
            ],
        )
        for queue in settings.TASK_QUEUES
    ]


MaxRestarts = Annotated[
    int, typer.Option(help="Stop (exit 1) when one worker exits more often than this within --restart-window.")
]
RestartWindow = Annotated[float, typer.Option(help="Seconds over which worker restarts are counted.")]


@app.command()
def worker(
    queue: Annotated[
        list[str] | None,
        typer.Option(
            help="Serve only this queue, in this process (repeat for several). "
            "Without it: one supervised process per queue (default, webhooks, bulk)."
        ),
    ] = None,
    batch: Annotated[bool, typer.Option(help="Run what is queued, then stop.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls of the queue.")] = 1.0,
    schedule: Annotated[
        bool | None,
        typer.Option(
            help="Also enqueue the periodic tasks when they are due (default: on the default queue's worker)."
        ),
    ] = None,
    max_restarts: MaxRestarts = 5,
    restart_window: RestartWindow = 300.0,
) -> None:
    """Run background tasks (mail, notifications, indexing, webhooks, imports) and the periodic schedule."""
    setup_django()
    from django.conf import settings

    from prosumo.core.workers import run_worker

    unknown = sorted(set(queue or []) - {*settings.TASK_QUEUES, "*"})
    if unknown:
        fail(f"Unknown queue {', '.join(unknown)}: choose from {', '.join(settings.TASK_QUEUES)}.")
    if interval < 0:
        fail("--interval must be 0 or more seconds.")
    if batch or queue:
        queues = queue or ["*"]
        on_default = "*" in queues or "default" in queues
        run_worker(queues=queues, interval=interval, schedule=on_default if schedule is None else schedule, batch=batch)
        return
    children = worker_children(interval=interval, schedule=schedule is not False)
    code = Supervisor(children, max_restarts=max_restarts, window=restart_window).run()
    raise typer.Exit(code)


def web_server_command(*, host: str, port: int, workers: int, threads: int, access_log: bool = False) -> list[str]:
    """The command that serves `prosumo.wsgi` with Granian: `workers` processes of `threads` threads.

    Granian parses HTTP in Rust outside the GIL, so each request costs the Python
    processes only the application's own work (bench/RESULTS.md). A worker process that
    dies is started again a second later while the others go on answering; Granian
    itself exits if its workers keep dying at start.
    """
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "prosumo.wsgi:application",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        "warning",
        *(["--access-log"] if access_log else []),
        "--workers-kill-timeout",
        "5",
        "--respawn-failed-workers",
        "--respawn-interval",
        "1",
    ]


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Web processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per web process.")] = 4,
    with_worker: Annotated[
        bool, typer.Option(help="Also run the task workers (one per queue) beside the web server.")
    ] = True,
    max_restarts: MaxRestarts = 5,
    restart_window: RestartWindow = 300.0,
    collectstatic: Annotated[
        bool, typer.Option(help="Collect the static files first (skip it when an image build did).")
    ] = True,
) -> None:
    """Serve the site with Granian (and, by default, the task workers beside it), and keep them running.

    A task worker that dies is restarted; if it keeps dying, or if the web server
    stops, `serve` stops everything and exits 1 for the service manager to act on.
    Without PROSUMO_SITE_URL, links in emails point at the address served here.
    """
    os.environ.setdefault("PROSUMO_SITE_URL", served_site_url(host, port))
    setup_django()
    from django.conf import settings

    if collectstatic:
        call("collectstatic", "--noinput", "--verbosity", "0")
    children = worker_children(interval=1.0, schedule=True) if with_worker else []
    command = web_server_command(host=host, port=port, workers=workers, threads=threads, access_log=settings.DEBUG)
    children.insert(0, Child(name="web server", command=command, restart=False))
    code = Supervisor(children, max_restarts=max_restarts, window=restart_window).run()
    raise typer.Exit(code)


@app.command()
def demo(
    members: Annotated[int, typer.Option(help="Members in the demo community.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same community.")] = 7,
    port: Annotated[int, typer.Option()] = 8000,
    reset: Annotated[bool, typer.Option(help="Delete the demo database and seed it again.")] = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up and seed, but do not start the server.")] = False,
) -> None:
    """Set up a trial site on SQLite with a believable demo community, and serve it."""
    from prosumo.synth.build import MIN_MEMBERS

    if members < MIN_MEMBERS:
        raise typer.BadParameter(f"a demo community has at least {MIN_MEMBERS} members.", param_hint="--members")
    os.environ.setdefault("PROSUMO_DEBUG", "1")
    data_dir = Path(os.environ.setdefault("PROSUMO_DATA_DIR", str(Path.cwd() / "var")))
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
    os.environ.setdefault("PROSUMO_SECRET_KEY", key_file.read_text().strip())
    # Links in emails and notifications follow the port the demo is served on, here and in
    # every later command run in this folder (`_demo_folder_settings` reads the file).
    os.environ.setdefault("PROSUMO_SITE_URL", served_site_url("127.0.0.1", port))
    (data_dir / SITE_URL_FILE).write_text(os.environ["PROSUMO_SITE_URL"] + "\n")
    database = data_dir / "prosumo.sqlite3"
    if reset and database.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    # The demo's own folder and files, made by an earlier version readable by everyone: its owner's only.
    data_dir.chmod(0o700)
    for private in (key_file, *(Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm"))):
        if private.exists():
            private.chmod(0o600)
    setup_django()
    call("migrate", "--noinput", "--verbosity", "0")
    from prosumo.community.bootstrap import ensure_site
    from prosumo.demo.loader import DEMO_PASSWORD, demo_logins, load_demo

    ensure_site()
    logins = demo_logins()
    if logins is None:
        started = time.monotonic()
        load_demo(members=members, seed=seed, progress=True)
        typer.echo(f"Demo community seeded in {time.monotonic() - started:.1f} s.")
        logins = demo_logins()
    assert logins is not None
    typer.secho(f"\n  Prosumo demo: http://127.0.0.1:{port}/", bold=True)
    typer.echo(f"  Staff login : {logins['staff']} / {DEMO_PASSWORD}")
    typer.echo(f"  Member login: {logins['member']} / {DEMO_PASSWORD}")
    typer.echo(f"  API docs    : http://127.0.0.1:{port}/api/docs\n")
    if not no_serve:
        serve(
            host="127.0.0.1",
            port=port,
            workers=2,
            threads=4,
            with_worker=True,
            max_restarts=5,
            restart_window=300.0,
            collectstatic=True,
        )


@app.command("import-customers")
def import_customers(
    path: Annotated[Path, typer.Argument(help="CSV with customer_id, email, tier, spend, country, ...")],
    dry_run: Annotated[bool, typer.Option(help="Check the file; import nothing.")] = False,
) -> None:
    """Import customer records (segments) from a CSV file; any bad row rejects the whole file.

    Runs the same job as the import page, here in this process, with a progress bar;
    the database stays open to the site (votes go on) while it writes.
    """
    if not path.is_file():
        fail(f"{path}: no such file.")
    setup_django()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from prosumo.community import imports
    from prosumo.community.models import CustomerImport
    from prosumo.core.errors import ProsumoError

    try:
        imports.size_check(file_name=path.name, size=path.stat().st_size)
        job = imports.customer_import_create(
            actor=None, file_name=path.name, data=path.read_bytes(), dry_run=dry_run, enqueue=False
        )
    except ProsumoError as exc:
        fail(exc.message)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            checking = bar.add_task("Checking", total=job.rows_expected)
            writing = bar.add_task("Writing", total=None, visible=not dry_run)

            def show(now: CustomerImport) -> None:
                bar.update(checking, completed=now.rows_checked, total=now.rows_total or now.rows_expected)
                bar.update(writing, completed=now.rows_written, total=now.rows_total)

            job = imports.customer_import_run(import_id=job.pk, progress=show)
    except KeyboardInterrupt:
        with contextlib.suppress(ProsumoError):
            imports.customer_import_cancel(actor=None, import_id=job.pk)
            fail("Stopped while checking; nothing was imported.")
        now = CustomerImport.objects.get(pk=job.pk)
        typer.secho(
            f"Stopped after writing {now.rows_written:,} of {now.rows_total:,} rows. The import is committed: "
            f"`prosumo worker` finishes it (import {job.pk}).",
            err=True,
            fg=typer.colors.YELLOW,
        )
        raise typer.Exit(code=1) from None
    if job.state == CustomerImport.State.REJECTED:
        fail(
            "\n".join(
                [
                    job.message,
                    *job.errors,
                    *([f"... {job.error_count - len(job.errors)} more"] if job.error_count > len(job.errors) else []),
                ]
            )
        )
    if job.state != CustomerImport.State.DONE:
        typer.secho(f"Import {job.pk} {job.state}: {job.message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1)
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb}: {job.created_count} new, {job.updated_count} updated, {job.matched_count} matched to members.")


@app.command("import-orders")
def import_orders(
    path: Annotated[Path, typer.Argument(help="CSV with order_id, customer_id or email, ordered_at, amount, ...")],
) -> None:
    """Import the company's orders from a CSV file (docs/commerce.md); any bad row rejects the whole file.

    Every problem is printed with its file, row and column; orders already imported
    (same order_id) are left as they were, so a file may be imported again.
    """
    if not path.is_file():
        fail(f"{path}: no such file.")
    setup_django()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from prosumo.commerce import services
    from prosumo.core.errors import ProsumoError

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
            tasks = {"checking": bar.add_task("Checking", total=None), "writing": bar.add_task("Writing", total=None)}

            def show(phase: str, done: int, total: int) -> None:
                bar.update(tasks[phase], completed=done, total=total)

            result = services.orders_import_csv(actor=None, file_name=path.name, data=path.read_bytes(), progress=show)
    except services.CsvRefused as exc:
        fail("\n".join([exc.message, *exc.lines]))
    except ProsumoError as exc:
        fail(exc.message)
    typer.echo(
        f"{path.name}: {result.created} orders imported, {result.matched} matched to members, "
        f"{result.duplicates} recorded already."
    )


@app.command("import-spend")
def import_spend(
    path: Annotated[Path, typer.Argument(help="CSV with channel, starts_on, ends_on, amount, currency")],
) -> None:
    """Import channel spend from a CSV file (docs/commerce.md); any bad row rejects the whole file.

    Every problem is printed with its file, row and column, overlapping periods of a
    channel (in the file or already recorded) included.
    """
    if not path.is_file():
        fail(f"{path}: no such file.")
    setup_django()
    from prosumo.commerce import services
    from prosumo.core.errors import ProsumoError

    try:
        result = services.spend_import_csv(actor=None, file_name=path.name, data=path.read_bytes())
    except services.CsvRefused as exc:
        fail("\n".join([exc.message, *exc.lines]))
    except ProsumoError as exc:
        fail(exc.message)
    typer.echo(f"{path.name}: spend imported: {result.periods} periods, channels: {result.channels}.")


@app.command("export-dataset")
def export_dataset(
    out: Annotated[Path, typer.Argument(help="Folder to write the community dataset (Parquet) into.")],
    force: Annotated[bool, typer.Option(help="Write into a folder that is not empty.")] = False,
    public: Annotated[
        bool,
        typer.Option(
            help="Write the open-data version: pseudonymous ids, no email addresses, names only of members who "
            "chose to show them, only what visitors may see (docs/open-data.md)."
        ),
    ] = False,
    licence: Annotated[
        str, typer.Option(help="With --public: the licence it is published under, e.g. 'CC BY 4.0'.")
    ] = "",
) -> None:
    """Write the platform's members, ideas, stages, events, outcomes and survey answers as a community dataset."""
    if public and not licence.strip():
        fail("--public needs --licence: the licence the open data is published under, e.g. --licence 'CC BY 4.0'.")
    if licence.strip() and not public:
        fail("--licence goes with --public: the full export is not for publishing.")
    if out.exists() and any(out.iterdir()) and not force:
        fail(f"{out} is not empty; choose another folder or pass --force.")
    setup_django()
    from rich.progress import Progress

    from prosumo.insights.export import export_dataset as run_export

    with Progress(transient=True) as bar:
        task = bar.add_task("Exporting", total=5)
        path = run_export(out, progress=lambda _step: bar.advance(task), public=public, licence=licence)
    typer.echo(f"{'Open-data' if public else 'Community'} dataset written to {path}")


@app.command()
def embed(
    campaign: Annotated[int | None, typer.Option(help="Only the ideas of this campaign (its id).")] = None,
) -> None:
    """Compute the vectors behind similar ideas for existing ideas (only those whose text changed)."""
    setup_django()
    from rich.progress import Progress

    from prosumo.ideas import similarity
    from prosumo.ideas.models import Campaign, Idea

    if not similarity.enabled():
        fail("Similar ideas use shared words only here (PROSUMO_SIMILARITY=lexical): there are no vectors to compute.")
    ideas = Idea.objects.order_by("pk")
    if campaign is not None:
        if not Campaign.objects.filter(pk=campaign).exists():
            fail(f"There is no campaign {campaign}.")
        ideas = ideas.filter(campaign_id=campaign)
    ids = list(ideas.values_list("pk", flat=True))
    similarity.install_pgvector()  # a server that got pgvector after migrating: the vectors move there
    with Progress(transient=True) as bar:
        task = bar.add_task("Computing idea vectors", total=len(ids))
        changed = similarity.embed_many(ids, progress=lambda count: bar.advance(task, count))
    typer.echo(f"{len(ids)} ideas checked, {changed} vectors written ({similarity.MODEL}).")
    if similarity.uses_pgvector():
        typer.echo(f"The vectors are searched in PostgreSQL (pgvector {similarity.pgvector_offered()}).")


def _progress_steps(bar: Any) -> Any:
    """Steps for prosumo.core.backup shown as rich progress bars, one per step."""
    tasks: list[Any] = []

    def step(label: str, total: int | None) -> Any:
        if tasks:
            bar.update(tasks[-1], visible=False)  # one bar at a time: the step before is done
        task = bar.add_task(label, total=total)
        tasks.append(task)
        return lambda amount: bar.advance(task, amount)

    return step


def _files(count: int) -> str:
    return f"{count} media file{'s' if count != 1 else ''}"


def _progress() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


@app.command()
def backup(
    directory: Annotated[Path, typer.Argument(help="A new or empty folder to write the backup into.")],
) -> None:
    """Back up the database and the uploaded files into a folder, with a manifest of checksums."""
    setup_django()
    from prosumo.core.backup import backup_create
    from prosumo.core.backup.manifest import engine_name
    from prosumo.core.errors import BackupFailed, InvalidInput

    try:
        with _progress() as bar:
            manifest = backup_create(directory=directory, steps=_progress_steps(bar))
    except InvalidInput as exc:
        fail(exc.message)
    except (BackupFailed, OSError) as exc:
        message = exc.message if isinstance(exc, BackupFailed) else f"The backup failed: {exc}."
        typer.secho(f"{message}\n{directory} holds no manifest: it is not a backup.", err=True, fg=typer.colors.RED)
        raise typer.Exit(code=1) from exc
    media = manifest.media_files
    typer.echo(
        f"Backup written to {directory}: the {engine_name(manifest.engine)} database ({len(manifest.tables)} tables, "
        f"{sum(manifest.tables.values())} rows) and {_files(len(media))} "
        f"({sum(entry.size for entry in media) / 1024 / 1024:.1f} MiB)."
    )


@app.command()
def restore(
    directory: Annotated[Path, typer.Argument(help="A folder written by `prosumo backup`.")],
    force: Annotated[bool, typer.Option(help="Replace a database and media folder that already hold data.")] = False,
    dry_run: Annotated[bool, typer.Option(help="Check the backup and the target; change nothing.")] = False,
) -> None:
    """Restore a backup into this site's database and media folder (stop the site first)."""
    setup_django()
    from prosumo.core.backup import backup_restore
    from prosumo.core.errors import BackupFailed, Conflict, InvalidInput

    try:
        with _progress() as bar:
            plan = backup_restore(directory=directory, force=force, dry_run=dry_run, steps=_progress_steps(bar))
    except (InvalidInput, Conflict) as exc:
        fail(f"{exc.message}\nNothing was changed.")
    except (BackupFailed, OSError) as exc:
        typer.secho(exc.message if isinstance(exc, BackupFailed) else f"The restore failed: {exc}.", err=True, fg="red")
        raise typer.Exit(code=1) from exc
    manifest = plan.manifest
    made = f"made {manifest.created_at:%Y-%m-%d %H:%M} UTC by Prosumo {manifest.prosumo_version}"
    rows = sum(manifest.tables.values())
    files = len(manifest.media_files)
    if dry_run:
        typer.echo(f"The backup in {directory} ({made}) is complete and intact.")
        typer.echo(f"A restore would write {len(manifest.tables)} tables ({rows} rows) into {plan.target}")
        typer.echo(f"and {_files(files)} into {plan.media_root}.")
        for held in plan.replaced:
            typer.echo(f"It would replace what is there: {held}.")
    else:
        typer.echo(f"Restored the backup {made}: {len(manifest.tables)} tables ({rows} rows) and {_files(files)}.")
    if plan.pending:
        typer.echo(
            f"The backup's schema is older than this Prosumo's ({len(plan.pending)} "
            f"migration{'s' if len(plan.pending) != 1 else ''} to apply): "
            "run `prosumo migrate` before starting the site."
        )


def _demo_folder_settings() -> None:
    """In the folder `prosumo demo` made, use its settings when none are given (the trial site's key)."""
    if "PROSUMO_SECRET_KEY" in os.environ or "DATABASE_URL" in os.environ:
        return
    data_dir = Path(os.environ.get("PROSUMO_DATA_DIR", str(Path.cwd() / "var")))
    key_file = data_dir / "secret_key"
    if key_file.is_file() and (data_dir / "prosumo.sqlite3").is_file():
        os.environ.setdefault("PROSUMO_DEBUG", "1")
        os.environ["PROSUMO_SECRET_KEY"] = key_file.read_text().strip()
        if (data_dir / SITE_URL_FILE).is_file():
            os.environ.setdefault("PROSUMO_SITE_URL", (data_dir / SITE_URL_FILE).read_text().strip())


SITE_URL_FILE = "site_url"  # in the demo's folder: the address `prosumo demo --port` serves


def served_site_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches `serve --host --port` at (any-address hosts as 127.0.0.1)."""
    if host in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 - an address to link to, not one to listen on
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@app.command()
def certificate(
    idea_id: Annotated[int, typer.Argument(help="The idea's number, as in its address /ideas/ID/.")],
    out: Annotated[Path, typer.Option(help="The file to write the certificate (JSON) to.")],
) -> None:
    """Write an idea's authorship certificate: its content, times, authors and proof, signed."""
    setup_django()
    import json

    from prosumo.core.errors import InvalidInput
    from prosumo.ideas.models import Idea
    from prosumo.provenance.services import certificate_issue

    idea = Idea.objects.select_related("author", "campaign").filter(pk=idea_id).first()
    if idea is None:
        fail(f"There is no idea {idea_id}.")
    assert idea is not None
    try:
        document = certificate_issue(idea=idea)
    except InvalidInput as exc:
        fail(exc.message)
    try:
        out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"Could not write {out}: {exc.strerror}.")
    records = len(document["records"])
    typer.echo(f"Certificate of idea {idea_id} ({records} record{'s' if records != 1 else ''}) written to {out}.")


@app.command()
def verify(
    path: Annotated[Path, typer.Argument(help="A certificate file written by `prosumo certificate` or the site.")],
    public_key: Annotated[
        str | None, typer.Option(help="The site's public key (base64), to require that it signed.")
    ] = None,
    tsa_certificate: Annotated[
        Path | None,
        typer.Option(help="The time-stamping authority's CA certificate (PEM), to check the time-stamp's signature."),
    ] = None,
) -> None:
    """Check an authorship certificate offline: no database, no settings. Exit 1 when anything was altered."""
    import json

    from prosumo.provenance.proof import Unreadable, verify_certificate
    from prosumo.provenance.timestamping import load_certificates

    trusted = None
    if tsa_certificate is not None:
        try:
            trusted = load_certificates(tsa_certificate.read_bytes())
        except OSError as exc:
            fail(f"Could not read {tsa_certificate}: {exc.strerror}.")
        except ValueError:
            fail(f"{tsa_certificate} holds no PEM certificate.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        check = verify_certificate(document, public_key=public_key, tsa_certificates=trusted)
    except OSError as exc:
        fail(f"Could not read {path}: {exc.strerror}.")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{path} is not a certificate: it is not JSON ({exc}).")
    except Unreadable as exc:
        fail(f"{path}: {exc}.")
    for fact in check.facts:
        typer.echo(f"ok    {fact}")
    for problem in check.problems:
        typer.secho(f"FAIL  {problem}", fg=typer.colors.RED)
    if not check.ok:
        raise typer.Exit(code=1)
    typer.echo("The certificate is intact: every record was in the log the site signed, as it reads now.")


@app.command("verify-log")
def verify_log() -> None:
    """Check the whole proof log against the database: gaps, altered rows and content, signed heads."""
    setup_django()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from prosumo.provenance.models import LogEntry
    from prosumo.provenance.selectors import log_audit

    total = LogEntry.objects.count()
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("Checking the log", total=total)
        audit = log_audit(advance=lambda n: bar.advance(task, n))
    for problem in audit.problems:
        typer.secho(f"FAIL  {problem}", fg=typer.colors.RED)
    erased = f"; {audit.removed_at_erasure} removed with their author's account" if audit.removed_at_erasure else ""
    heads = f"{audit.heads} signed tree head{'s' if audit.heads != 1 else ''}"
    summary = f"{audit.entries} entr{'ies' if audit.entries != 1 else 'y'} and {heads} checked{erased}"
    if audit.problems:
        typer.secho(f"{len(audit.problems)} problem(s): {summary}.", fg=typer.colors.RED)
        raise typer.Exit(code=1)
    typer.echo(f"The proof log is intact: {summary}.")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def django(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `prosumo django check --deploy`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["prosumo django", *ctx.args])


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def check(ctx: typer.Context) -> None:
    """Django's system checks, e.g. `prosumo check --deploy`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["prosumo", "check", *ctx.args])


def _register_plugins() -> None:
    try:
        from prosumo.analytics.cli import register
    except ImportError:
        return
    register(app)


_register_plugins()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
