"""The analytics library imports no Django (DESIGN.md: it must run on any community's export)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import prosumo.analytics


def test_importing_every_analytics_module_loads_no_django():
    # given
    names = sorted(m.name for m in pkgutil.walk_packages(prosumo.analytics.__path__, "prosumo.analytics."))
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))\n"
    )
    # when
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    # then
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "prosumo.analytics.metrics.opinions" in names
    assert "prosumo.analytics.cli" in names
