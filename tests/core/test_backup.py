"""`prosumo backup` and `prosumo restore`, run as the operator runs them: real processes, real databases.

Each site is a data folder (and on PostgreSQL a database of its own on the throwaway server
of `make test-postgres`) driven through `.venv/bin/prosumo` with environment variables.
The source is the demo community with a few uploaded files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from filelock import FileLock

from prosumo.core.backup import rebuilt_tables
from prosumo.core.backup.postgres import environment
from tests.migrated import copy_migrated, migrated_template, shared_folder

PROSUMO = Path(sys.executable).with_name("prosumo")
# The ideas app's migrations as this code has them: a backup's manifest names each one.
IDEAS_MIGRATIONS = sorted(
    path.stem
    for path in (Path(__file__).resolve().parents[2] / "src" / "prosumo" / "ideas" / "migrations").glob("0*.py")
)
# The same bytes in every xdist worker (the source site is shared): seeded, not os.urandom.
_BYTES = random.Random(20261205)
UPLOADS = {
    "avatars/member-7.png": _BYTES.randbytes(200_000),
    "attachments/2026/05/tent sketch.pdf": _BYTES.randbytes(1_500_000),
    "covers/ñandú.jpg": _BYTES.randbytes(3_000),
    "attachments/2026/05/empty.txt": b"",
}


def postgres_url(database: str) -> str:
    base = os.environ["DATABASE_URL"]
    return f"{base.rsplit('/', 1)[0]}/{database}"


def postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
        admin.execute(statement)


@dataclass
class Site:
    """One Prosumo installation: its data folder and, on PostgreSQL, its database."""

    folder: Path
    url: str | None = None

    @property
    def media(self) -> Path:
        return self.folder / "media"

    @property
    def sqlite_file(self) -> Path:
        return self.folder / "prosumo.sqlite3"

    def described(self) -> str:
        """How `prosumo restore` names the site's database."""
        if self.url is None:
            return f"the SQLite database {self.sqlite_file}"
        url = urlsplit(self.url)
        return f"the PostgreSQL database {url.path[1:]} on {url.hostname}:{url.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="prosumo.settings",
            PROSUMO_SECRET_KEY="backup-tests-secret-key-0123456789-0123456789-0123456789",
            PROSUMO_DATA_DIR=str(self.folder),
            PROSUMO_MEDIA_ROOT=str(self.media),
        )
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def prosumo(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PROSUMO), *args], env={**self.env(), **env}, capture_output=True, text=True, timeout=300, check=False
        )

    def tables(self) -> dict[str, list[tuple[object, ...]]]:
        """Every table's rows, in a stable order."""
        if self.url is None:
            with sqlite3.connect(f"{self.sqlite_file.as_uri()}?mode=ro", uri=True) as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
        import psycopg

        with psycopg.connect(self.url) as db:
            names = [
                r[0]
                for r in db.execute(
                    "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace "
                    "WHERE nspname = 'public' AND relkind IN ('r', 'p')"
                )
            ]
            return {name: sorted(db.execute(f'SELECT * FROM public."{name}"').fetchall(), key=repr) for name in names}

    def files(self) -> dict[str, bytes]:
        if not self.media.exists():
            return {}
        return {p.relative_to(self.media).as_posix(): p.read_bytes() for p in self.media.rglob("*") if p.is_file()}

    def state(self) -> tuple[object, ...]:
        """Everything a restore could change: the rows, the media files, the data folder's listing."""
        exists = self.url is not None or self.sqlite_file.exists()
        return (self.tables() if exists else None, self.files(), sorted(os.listdir(self.folder)))


class Sites:
    """The sites the tests share, each built once per run, whichever xdist worker asks first.

    The demo source and its backup are only read, so every worker uses the same ones
    (a file lock in the run's shared folder guards the building); a site that holds data
    is changed by one test, so each worker builds its own. An empty migrated site is a
    copy of a template: of the run's migrated SQLite file, or on PostgreSQL a database
    made with ``CREATE DATABASE ... TEMPLATE``.
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory):
        self.tmp = tmp_path_factory
        self.shared = shared_folder(tmp_path_factory)
        self.databases: list[str] = []
        self.built: dict[tuple[str, str], object] = {}

    def new(self, engine: str, folder: Path | None = None, *, template: str = "", keep: bool = False) -> Site:
        """A new site: an empty folder and, on PostgreSQL, a new database (a copy of ``template`` if given)."""
        folder = folder or self.tmp.mktemp("site")
        if engine == "sqlite":
            return Site(folder)
        if not os.environ.get("PROSUMO_TEST_POSTGRES"):
            pytest.skip("needs the PostgreSQL server of `make test-postgres`")
        name = f"backup_{uuid.uuid4().hex[:12]}"
        postgres_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        if not keep:
            self.databases.append(name)
        return Site(folder, postgres_url(name))

    def migrated(self, engine: str) -> Site:
        """A new site with every migration applied and no rows of its own."""
        if engine == "sqlite":
            site = self.new(engine)
            copy_migrated(migrated_template(self.shared / "migrated-sqlite"), site.sqlite_file)
            return site
        template = self._shared("migrated", engine, self._migrated_postgresql)
        return self.new(engine, template=urlsplit(template.url or "").path[1:])

    def _migrated_postgresql(self, folder: Path) -> Site:
        site = self.new("postgresql", folder, keep=True)
        done = site.prosumo("migrate")
        assert done.returncode == 0, done.stderr
        return site

    def _shared(self, what: str, engine: str, build) -> Site:
        """A site built once per run by ``build(folder)``, its folder and database recorded for the other workers."""
        if engine == "postgresql" and not os.environ.get("PROSUMO_TEST_POSTGRES"):
            pytest.skip("needs the PostgreSQL server of `make test-postgres`")
        folder = self.shared / f"backup-{what}-{engine}"
        record = self.shared / f"backup-{what}-{engine}.json"
        with FileLock(f"{record}.lock"):
            if not record.exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir()
                site = build(folder)
                record.write_text(json.dumps({"folder": str(site.folder), "url": site.url}))
        described = json.loads(record.read_text())
        return Site(Path(described["folder"]), described["url"])

    def source(self, engine: str) -> Site:
        """The demo community (50 members) with uploaded files, shared by every worker: tests only read it."""

        def build(folder: Path) -> Site:
            site = self.new(engine, folder, keep=True)
            demo = site.prosumo("demo", "--members", "50", "--seed", "5", "--no-serve")
            assert demo.returncode == 0, demo.stderr
            for path, content in UPLOADS.items():
                (site.media / path).parent.mkdir(parents=True, exist_ok=True)
                (site.media / path).write_bytes(content)
            return site

        return self._shared("source", engine, build)

    def backup(self, engine: str) -> Path:
        """The source's backup, shared by every worker: tests that damage it damage a copy."""
        folder = self.shared / f"backup-of-source-{engine}"
        with FileLock(f"{folder}.lock"):
            if not (folder / "manifest.json").exists():
                done = self.source(engine).prosumo("backup", str(folder))
                assert done.returncode == 0, done.stderr
        return folder

    def occupied(self, engine: str) -> Site:
        """A site that holds data: the backup restored, then a new admin and an upload of its own."""
        if ("occupied", engine) not in self.built:
            site = self.new(engine)
            assert site.prosumo("restore", str(self.backup(engine))).returncode == 0
            made = site.prosumo("createadmin", "--email", "late@example.org", "--password", "correct horse 12")
            assert made.returncode == 0, made.stderr
            (site.media / "avatars" / "late.png").write_bytes(b"only on this site")
            self.built[("occupied", engine)] = site
        return self.built[("occupied", engine)]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    built = Sites(tmp_path_factory)
    yield built
    # the shared sites (source, template) stay until the throwaway server of the run goes
    for name in built.databases:
        postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# A site on SQLite is the same whatever the suite's database: those cases run in the SQLite pass only.
SQLITE = pytest.param("sqlite", marks=pytest.mark.sqlite_site)
BOTH = pytest.mark.parametrize("engine", [SQLITE, pytest.param("postgresql", marks=pytest.mark.postgres_only)])
POSTGRESQL = pytest.mark.parametrize("engine", [pytest.param("postgresql", marks=pytest.mark.postgres_only)])


def damaged_copy(backup: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(backup, copy)
    return copy


def edit_manifest(folder: Path, change) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


@BOTH
def test_backup_writes_the_database_the_media_and_a_manifest_last(engine: str, sites: Sites):
    source, backup = sites.source(engine), sites.backup(engine)
    manifest = json.loads((backup / "manifest.json").read_text())
    database = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[engine]
    assert manifest["format"] == "prosumo-backup"
    assert manifest["format_version"] == 1
    assert manifest["prosumo_version"] == "0.1.0"
    assert manifest["database"]["engine"] == engine
    assert manifest["migrations"]["ideas"] == IDEAS_MIGRATIONS  # every one this code has, in order
    assert manifest["tables"]["community_member"] == 50
    # every table but those made from others (pgvector's copy of the vectors), which a restore makes again
    assert rebuilt_tables() == ["ideas_ideavector"]
    kept = {name: len(rows) for name, rows in source.tables().items() if name not in rebuilt_tables()}
    assert kept == manifest["tables"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert sorted(listed) == sorted([database, *(f"media/{path}" for path in UPLOADS)])
    for path, content in UPLOADS.items():
        assert (backup / "media" / path).read_bytes() == content
        assert listed[f"media/{path}"]["size"] == len(content)
    assert sorted(os.listdir(backup)) == sorted([database, "manifest.json", "media"])
    assert oct((backup).stat().st_mode & 0o777) == "0o700"


@BOTH
def test_restore_into_a_new_site_gives_back_every_row_and_file(engine: str, sites: Sites):
    source, backup = sites.source(engine), sites.backup(engine)
    # given a new, empty site
    target = sites.new(engine)
    # when the backup is restored into it
    done = target.prosumo("restore", str(backup))
    # then it holds the same rows in every table, and the same files byte for byte
    assert done.returncode == 0, done.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert done.stdout.startswith("Restored the backup made ")
    assert (
        f"{len(manifest['tables'])} tables ({sum(manifest['tables'].values())} rows) and 4 media files." in done.stdout
    )
    restored, original = target.tables(), source.tables()
    assert {name: len(rows) for name, rows in restored.items()} == {name: len(rows) for name, rows in original.items()}
    assert restored == original
    if "ideas_ideavector" in original:  # a server with pgvector: its copy of the vectors was made again
        assert len(original["ideas_ideavector"]) == len(original["ideas_ideaembedding"]) > 0
    assert target.files() == UPLOADS
    # and the site carries on: new rows get new ids, and a migrate finds nothing to do
    made = target.prosumo("createadmin", "--email", "after@example.org", "--password", "correct horse 12")
    assert made.returncode == 0, made.stderr
    assert len(target.tables()["community_member"]) == 51
    migrated = target.prosumo("migrate")
    assert migrated.returncode == 0, migrated.stderr


@BOTH
def test_a_site_that_holds_data_is_refused_without_force_and_replaced_with_it(engine: str, sites: Sites):
    # (the only test that changes the occupied site, at its end)
    source, backup, occupied = sites.source(engine), sites.backup(engine), sites.occupied(engine)
    before = occupied.state()
    refused = occupied.prosumo("restore", str(backup))
    assert refused.returncode == 2
    target = occupied.described()
    assert refused.stderr == (
        f"The site is not empty: {target} holds 51 member accounts; MEDIA_ROOT ({occupied.media}) holds 5 files. "
        "A restore replaces all of it: restore into an empty database and media folder, or pass --force to "
        "replace what is there.\nNothing was changed.\n"
    )
    assert occupied.state() == before

    dry = occupied.prosumo("restore", str(backup), "--dry-run", "--force")
    assert dry.returncode == 0, dry.stderr
    assert f"It would replace what is there: {target} holds 51 member accounts." in dry.stdout
    assert occupied.state() == before

    forced = occupied.prosumo("restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert occupied.tables() == source.tables()
    assert occupied.files() == UPLOADS


@BOTH
def test_an_unreadable_database_file_is_refused_and_changes_nothing(engine: str, sites: Sites, tmp_path: Path):
    backup, occupied = sites.backup(engine), sites.occupied(engine)
    # given a backup whose database file is garbage, with a manifest that matches it
    copy = damaged_copy(backup, tmp_path)
    database = copy / {"sqlite": "database.sqlite3", "postgresql": "database.dump"}[engine]
    database.write_bytes(b"not a database, " * 1000)

    def rehash(manifest):
        import hashlib

        entry = next(e for e in manifest["files"] if e["path"] == database.name)
        entry.update(size=16000, sha256=hashlib.sha256(database.read_bytes()).hexdigest())

    edit_manifest(copy, rehash)
    before = occupied.state()
    # when it is restored over a site with --force
    failed = occupied.prosumo("restore", str(copy), "--force")
    # then the restore fails and the site is as it was
    assert failed.returncode == 1
    assert failed.stderr.endswith("The database was not changed.\n")
    assert occupied.state() == before


@POSTGRESQL
def test_postgresql_restore_is_one_transaction_that_checks_the_row_counts(engine: str, sites: Sites, tmp_path: Path):
    backup, occupied = sites.backup(engine), sites.occupied(engine)
    copy = damaged_copy(backup, tmp_path)
    edit_manifest(copy, lambda m: m["tables"].update(ideas_vote=m["tables"]["ideas_vote"] + 1))
    rows = json.loads((copy / "manifest.json").read_text())["tables"]["ideas_vote"]
    before = occupied.state()
    failed = occupied.prosumo("restore", str(copy), "--force")
    assert failed.returncode == 1
    assert f"restore check: table ideas_vote has {rows - 1} rows, the backup {rows}" in failed.stderr
    assert failed.stderr.endswith("The database was not changed.\n")
    assert occupied.state() == before


def _remove_manifest(folder: Path) -> None:
    (folder / "manifest.json").unlink()


def _flip_a_byte(folder: Path) -> None:
    path = folder / "media/attachments/2026/05/tent sketch.pdf"
    data = bytearray(path.read_bytes())
    data[700_000] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate_the_database(folder: Path) -> None:
    path = next(p for p in folder.iterdir() if p.name.startswith("database."))
    with path.open("r+b") as file:
        file.truncate(path.stat().st_size - 1)


def _lose_a_file(folder: Path) -> None:
    (folder / "media/covers/ñandú.jpg").unlink()


def _add_a_file(folder: Path) -> None:
    (folder / "media/avatars/stray.png").write_bytes(b"not listed")


def _add_a_future_migration(folder: Path) -> None:
    edit_manifest(folder, lambda m: m["migrations"]["ideas"].append("0099_from_the_future"))


def _newer_format(folder: Path) -> None:
    edit_manifest(folder, lambda m: m.update(format_version=2, prosumo_version="9.0.0"))


def _path_outside(folder: Path) -> None:
    edit_manifest(folder, lambda m: m["files"].append({"path": "media/../../x", "size": 1, "sha256": "0" * 64}))


REFUSALS = {
    "partial backup": (
        _remove_manifest,
        "{copy} has no manifest.json: it is not a complete backup. A backup writes its manifest last, so a backup "
        "that was interrupted has none; use another backup.",
    ),
    "damaged file": (
        _flip_a_byte,
        "The backup in {copy} is damaged: the checksum of media/attachments/2026/05/tent sketch.pdf does not match "
        "the manifest.",
    ),
    "truncated database": (_truncate_the_database, "The backup in {copy} is damaged: {database} has {size} bytes,"),
    "missing file": (_lose_a_file, "The backup in {copy} is incomplete; missing: media/covers/ñandú.jpg."),
    "extra file": (
        _add_a_file,
        "The backup in {copy} holds files its manifest does not list: media/avatars/stray.png.",
    ),
    "newer schema": (
        _add_a_future_migration,
        "The backup's schema is newer than this Prosumo's: it was made by Prosumo 0.1.0 and has migrations this "
        "code does not know (ideas.0099_from_the_future). Upgrade Prosumo, then restore.",
    ),
    "newer format": (
        _newer_format,
        "This backup was written by a newer Prosumo (9.0.0, backup format 2); this Prosumo reads format 1. "
        "Upgrade Prosumo, then restore.",
    ),
    "path outside": (
        _path_outside,
        "{copy}/manifest.json is not a Prosumo backup manifest ('media/../../x' is not a path a backup holds).",
    ),
}


@pytest.mark.parametrize(
    ("engine", "case"),
    # The checks run before the database engine matters: every case on SQLite, two on PostgreSQL.
    [pytest.param("sqlite", case, marks=pytest.mark.sqlite_site) for case in REFUSALS]
    + [
        pytest.param("postgresql", case, marks=pytest.mark.postgres_only) for case in ["partial backup", "damaged file"]
    ],
)
def test_a_backup_that_is_not_whole_is_refused_and_changes_nothing(
    engine: str, case: str, sites: Sites, tmp_path: Path
):
    backup, occupied = sites.backup(engine), sites.occupied(engine)
    # given a damaged copy of the backup
    damage, message = REFUSALS[case]
    copy = damaged_copy(backup, tmp_path)
    database = next(p for p in copy.iterdir() if p.name.startswith("database."))
    size = database.stat().st_size - 1
    damage(copy)
    before = occupied.state()
    # when it is restored, even with --force
    refused = occupied.prosumo("restore", str(copy), "--force")
    # then the restore says why, exits with 2, and the site is as it was
    assert refused.returncode == 2
    assert refused.stderr.startswith(message.format(copy=copy, database=database.name, size=size))
    assert refused.stderr.endswith("\nNothing was changed.\n")
    assert occupied.state() == before


@BOTH
def test_a_backup_of_another_engine_is_refused(engine: str, sites: Sites, tmp_path: Path):
    backup = sites.backup(engine)
    other = Site(tmp_path / "other", None if engine == "postgresql" else "postgres://nobody@127.0.0.1:9/nowhere")
    other.folder.mkdir()
    refused = other.prosumo("restore", str(backup))
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    mine, theirs = names[engine], names["sqlite" if engine == "postgresql" else "postgresql"]
    assert refused.returncode == 2
    assert refused.stderr == (
        f"This backup holds a {mine} database, but DATABASE_URL points at {theirs}: restore it into a site that "
        f"uses {mine}.\nNothing was changed.\n"
    )
    assert os.listdir(other.folder) == []


@BOTH
def test_a_backup_is_never_written_into_a_folder_that_holds_files(engine: str, sites: Sites, tmp_path: Path):
    source = sites.source(engine)
    (tmp_path / "notes.txt").write_text("keep me")
    refused = source.prosumo("backup", str(tmp_path))
    assert refused.returncode == 2
    assert refused.stderr == f"{tmp_path} is not empty: choose a new or empty folder (a backup never overwrites).\n"
    assert os.listdir(tmp_path) == ["notes.txt"]


@pytest.mark.sqlite_site
def test_a_site_without_a_database_has_nothing_to_back_up(tmp_path: Path):
    site = Site(tmp_path / "site")
    refused = site.prosumo("backup", str(tmp_path / "backup"))
    assert refused.returncode == 2
    assert refused.stderr == (f"There is no database at {site.sqlite_file}: nothing to back up. Check DATABASE_URL.\n")
    assert not (tmp_path / "backup").exists()


@pytest.mark.sqlite_site
def test_an_older_backup_is_brought_up_to_date_by_migrate(sites: Sites, tmp_path: Path):
    # given a backup of a site one migration behind this code
    old = sites.migrated("sqlite")
    *_, before, last = IDEAS_MIGRATIONS
    everything = migrations(old)
    assert old.prosumo("django", "migrate", "ideas", before, "--verbosity", "0").returncode == 0
    behind = len(everything - migrations(old))  # the last of ideas and the migrations that depend on it
    assert behind >= 1
    assert old.prosumo("backup", str(tmp_path / "old")).returncode == 0
    # when it is restored into a new site
    target = sites.new("sqlite")
    done = target.prosumo("restore", str(tmp_path / "old"))
    # then the restore says to migrate, and migrate applies what is missing
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(
        f"The backup's schema is older than this Prosumo's ({behind} migration{'s' if behind > 1 else ''} to apply): "
        "run `prosumo migrate` before starting the site.\n"
    )
    assert ("ideas", last) not in migrations(target)
    assert target.prosumo("migrate").returncode == 0
    assert ("ideas", last) in migrations(target)


def migrations(site: Site) -> set[tuple[str, str]]:
    return {(row[1], row[2]) for row in site.tables()["django_migrations"]}


@POSTGRESQL
def test_postgresql_tools_that_are_missing_get_a_clear_message(engine: str, sites: Sites, tmp_path: Path):
    source = sites.source(engine)
    refused = source.prosumo("backup", str(tmp_path / "backup"), PROSUMO_PG_BINDIR=str(tmp_path))
    assert refused.returncode == 2
    assert refused.stderr == f"pg_dump is not in PROSUMO_PG_BINDIR ({tmp_path}).\n"
    assert os.listdir(tmp_path) == []


def test_the_password_goes_to_the_postgresql_tools_through_the_environment():
    settings = {
        "NAME": "community",
        "USER": "prosumo",
        "PASSWORD": "s3cret pass",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "verify-full", "server_side_binding": True},
    }
    env = environment(settings)
    assert {key: env[key] for key in env if key.startswith("PG") and key not in os.environ} == {
        "PGDATABASE": "community",
        "PGUSER": "prosumo",
        "PGPASSWORD": "s3cret pass",
        "PGHOST": "db.internal",
        "PGPORT": "5433",
        "PGSSLMODE": "verify-full",
    }


class Writer(threading.Thread):
    """Another connection writing to the site's database, one committed row at a time, until stopped."""

    def __init__(self, site: Site):
        super().__init__(daemon=True)
        self.site = site
        self.stop = threading.Event()
        self.written = 0

    def run(self) -> None:
        if self.site.url is None:
            db = sqlite3.connect(self.site.sqlite_file, timeout=20, isolation_level=None)
        else:
            import psycopg

            db = psycopg.connect(self.site.url, autocommit=True)
        with db:
            while not self.stop.is_set():
                db.execute(
                    "INSERT INTO django_session (session_key, session_data, expire_date) "
                    f"VALUES ('writer-{self.written}', 'x', '2030-01-01 00:00:00+00:00')"
                )
                self.written += 1


@BOTH
def test_a_backup_taken_while_the_site_writes_is_consistent(engine: str, sites: Sites, tmp_path: Path):
    # given a site whose database another connection keeps writing to
    site = sites.migrated(engine)
    writer = Writer(site)
    writer.start()
    while writer.written < 10:
        time.sleep(0.01)
    # when it is backed up meanwhile
    try:
        started = writer.written
        done = site.prosumo("backup", str(tmp_path / "backup"))
        during = writer.written - started
    finally:
        writer.stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    assert during > 0
    # then the backup restores whole: the rows of one moment, matching the manifest's counts
    counted = json.loads((tmp_path / "backup" / "manifest.json").read_text())["tables"]["django_session"]
    assert started <= counted <= writer.written
    target = sites.new(engine)
    restored = target.prosumo("restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert sorted(row[0] for row in target.tables()["django_session"]) == sorted(f"writer-{n}" for n in range(counted))
