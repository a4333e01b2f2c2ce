"""The chart library the Insights pages load, a static file written from the pinned vl-convert-python.

Vega, Vega-Lite, vega-embed and vega-tooltip (BSD 3-Clause) come bundled in the Python
package vl-convert-python (pinned in uv.lock), the same bundle the offline HTML report
embeds, so the pages and the report draw with the same versions. The bundle is about
900 kB, so it is not kept in the repository: :class:`VegaBundleFinder`, a static files
finder, writes it once under ``$PROSUMO_DATA_DIR/vendor/`` (a few seconds) and hands it to
``collectstatic`` like any other static file, which gives it a hashed name and WhiteNoise
a long cache header. It used to be built by a view on a staff member's first chart, which
made that page wait seconds (bench/RESULTS.md, "First visits").
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

VEGA_SCRIPT = "insights/vendor/vega-bundle.js"


@functools.cache
def bundle_versions() -> dict[str, str]:
    """The versions of what the bundle holds, from the installed vl-convert-python and Altair."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return {
        "vl-convert-python": metadata.version("vl-convert-python"),
        "Vega": vlc.get_vega_version(),
        "Vega-Lite": vl_version_for_vl_convert().removeprefix("v").replace("_", "."),
        "vega-embed": vlc.get_vega_embed_version(),
    }


def _header() -> str:
    versions = ", ".join(
        f"{name} {version}" for name, version in bundle_versions().items() if name != "vl-convert-python"
    )
    return (
        f"/*! {versions} and vega-tooltip (https://vega.github.io), BSD 3-Clause licence.\n"
        f" * Written from the Python package vl-convert-python {bundle_versions()['vl-convert-python']}"
        " by prosumo.insights.charts. */\n"
    )


def bundle_folder() -> Path:
    """The folder the bundle of the installed packages is written to (a new version, a new folder).

    Named by the versions of vl-convert-python and Altair (which picks the Vega-Lite version)
    as their metadata says, so that finding the file imports neither (Altair takes seconds).
    """
    packages = "-".join(f"{name}-{metadata.version(name)}" for name in ("vl-convert-python", "altair"))
    return Path(settings.DATA_DIR) / "vendor" / packages


def write_bundle() -> Path:
    """The bundle's file, written first if it is not there yet; processes that race each write a whole file."""
    path = bundle_folder() / VEGA_SCRIPT
    if path.exists():
        return path
    from prosumo.analytics.report import vega_bundle  # with pandas and Altair: only to write

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(_header() + vega_bundle(), encoding="utf-8")
    partial.replace(path)
    return path


class VegaBundleFinder(BaseFinder):
    """Finds ``insights/vendor/vega-bundle.js``, writing it from vl-convert-python on first use."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        if path != VEGA_SCRIPT:
            return []  # "not here", as Django's own finders say it (None would be taken for a match)
        found = str(write_bundle())
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        write_bundle()
        yield VEGA_SCRIPT, FileSystemStorage(location=bundle_folder())
