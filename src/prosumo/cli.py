"""`prosumo`: one console command for everything an operator does."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

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
    from prosumo.core.bootstrap import ensure_site

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

    from prosumo.core.bootstrap import create_verified_member

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


@app.command()
def worker(
    batch: Annotated[bool, typer.Option(help="Run what is queued, then stop.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls of the queue.")] = 1.0,
    schedule: Annotated[bool, typer.Option(help="Also enqueue the periodic tasks when they are due.")] = True,
) -> None:
    """Run background tasks (mail, notifications, indexing, webhooks, imports, insights) and the periodic schedule."""
    setup_django()
    from prosumo.core.scheduler import enqueue_due

    stop = threading.Event()

    def tick() -> None:
        from django.db import close_old_connections

        while not stop.is_set():
            try:
                enqueue_due()
                customer_imports_resume()
            finally:
                close_old_connections()
            stop.wait(60)

    from prosumo.community.imports import customer_imports_resume

    # A job whose worker was killed (an import half-written) is taken over here.
    customer_imports_resume()
    if batch:
        if schedule:
            enqueue_due()
        call("db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", "--interval", "0")
        return
    if schedule:
        threading.Thread(target=tick, name="prosumo-scheduler", daemon=True).start()
    try:
        call("db_worker", "--queue-name", "*", "--interval", str(interval))
    finally:
        stop.set()


def web_server_command(*, host: str, port: int, workers: int, threads: int, access_log: bool = False) -> list[str]:
    """The command that serves `prosumo.wsgi` with Granian: `workers` processes of `threads` threads.

    Granian parses HTTP in Rust outside the GIL, so each request costs the Python
    processes only the application's own work (bench/RESULTS.md).
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
    ]


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="Web processes.")] = 2,
    threads: Annotated[int, typer.Option(help="Threads per web process.")] = 4,
    with_worker: Annotated[bool, typer.Option(help="Also run the task worker beside the web server.")] = True,
) -> None:
    """Serve the site with Granian (and, by default, the task worker beside it)."""
    setup_django()
    from django.conf import settings

    call("collectstatic", "--noinput", "--verbosity", "0")
    children = []
    if with_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "prosumo.cli", "worker"]))
    command = web_server_command(host=host, port=port, workers=workers, threads=threads, access_log=settings.DEBUG)
    server = subprocess.Popen(command)  # noqa: S603
    children.append(server)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.wait()
    finally:
        stop()
        for child in children:
            child.wait(timeout=10)


@app.command()
def demo(
    members: Annotated[int, typer.Option(help="Members in the demo community.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same community.")] = 7,
    port: Annotated[int, typer.Option()] = 8000,
    reset: Annotated[bool, typer.Option(help="Delete the demo database and seed it again.")] = False,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Set up and seed, but do not start the server.")] = False,
) -> None:
    """Set up a trial site on SQLite with a believable demo community, and serve it."""
    os.environ.setdefault("PROSUMO_DEBUG", "1")
    data_dir = Path(os.environ.setdefault("PROSUMO_DATA_DIR", str(Path.cwd() / "var")))
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    os.environ.setdefault("PROSUMO_SECRET_KEY", key_file.read_text().strip())
    database = data_dir / "prosumo.sqlite3"
    if reset and database.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    setup_django()
    call("migrate", "--noinput", "--verbosity", "0")
    from prosumo.core.bootstrap import ensure_site
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
        serve(host="127.0.0.1", port=port, workers=2, threads=4, with_worker=True)


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


@app.command("export-dataset")
def export_dataset(
    out: Annotated[Path, typer.Argument(help="Folder to write the community dataset (Parquet) into.")],
    force: Annotated[bool, typer.Option(help="Write into a folder that is not empty.")] = False,
) -> None:
    """Write the platform's members, ideas, stages, events and outcomes as a community dataset."""
    if out.exists() and any(out.iterdir()) and not force:
        fail(f"{out} is not empty; choose another folder or pass --force.")
    setup_django()
    from rich.progress import Progress

    from prosumo.activity.export import export_dataset as run_export

    with Progress(transient=True) as bar:
        task = bar.add_task("Exporting", total=4)
        path = run_export(out, progress=lambda _step: bar.advance(task))
    typer.echo(f"Community dataset written to {path}")


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
