"""The settings of several nodes: a shared cache and a read replica, read from the environment (docs/configuration.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import json, prosumo.settings as s; print(json.dumps({'cache': s.CACHES['default'],"
    " 'limits': s.PROSUMO_RATE_LIMIT_STORAGE, 'databases': sorted(s.DATABASES),"
    " 'routers': getattr(s, 'DATABASE_ROUTERS', [])}))"
)


def settings_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PROSUMO_", "DATABASE_"))}
    base.update(PROSUMO_SECRET_KEY="settings-test-key-0123456789", PROSUMO_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW], env={**base, "PYTHONPATH": str(ROOT / "src")}, capture_output=True, text=True
    )


def test_one_node_keeps_its_own_cache_and_counts_limits_in_the_database(tmp_path):
    shown = json.loads(settings_with(tmp_path).stdout)
    assert shown["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["limits"] == "database"
    assert shown["databases"] == ["default"]
    assert shown["routers"] == []


def test_a_shared_cache_holds_the_cache_and_the_rate_limits(tmp_path):
    shown = json.loads(settings_with(tmp_path, PROSUMO_CACHE_URL="valkey://cache.internal:6379/2").stdout)
    assert shown["cache"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
        "KEY_PREFIX": "prosumo",
    }
    assert shown["limits"] == "redis://cache.internal:6379/2"
    chosen = settings_with(tmp_path, PROSUMO_CACHE_URL="redis://c:6379/0", PROSUMO_RATE_LIMIT_STORAGE="database")
    assert json.loads(chosen.stdout)["limits"] == "database"


def test_a_cache_url_that_is_not_redis_or_valkey_is_refused_with_what_to_write(tmp_path):
    done = settings_with(tmp_path, PROSUMO_CACHE_URL="memcached://cache:11211")
    assert done.returncode != 0
    assert "PROSUMO_CACHE_URL is 'memcached://cache:11211'; give the URL of a Redis or Valkey server" in done.stderr


def test_a_replica_needs_postgresql_on_both_sides(tmp_path):
    done = settings_with(tmp_path, DATABASE_REPLICA_URL="postgres://reader@replica:5432/prosumo")
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL needs PostgreSQL" in done.stderr
    shown = json.loads(
        settings_with(
            tmp_path,
            DATABASE_URL="postgres://prosumo@primary:5432/prosumo",
            DATABASE_REPLICA_URL="postgres://reader@replica:5432/prosumo",
        ).stdout
    )
    assert shown["databases"] == ["default", "replica"]
    assert shown["routers"] == ["prosumo.core.replica.ReplicaRouter"]
