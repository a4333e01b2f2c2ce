"""The Insights chart library is a static file from the pinned vl-convert-python: a hashed name, a long cache header, no view."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from prosumo.analytics.report import vega_bundle
from prosumo.insights.charts import VEGA_SCRIPT, bundle_folder, bundle_versions, write_bundle
from prosumo.insights.models import InsightRun

STATIC = Path(__file__).resolve().parents[2] / "src" / "prosumo" / "insights" / "static"


def test_the_chart_library_is_written_from_the_installed_vl_convert_with_its_licence() -> None:
    # when the static files are looked for (as collectstatic and WhiteNoise do)
    found = finders.find(VEGA_SCRIPT)
    # then the bundle of the installed vl-convert-python is there, under the data folder, not in the repository
    path = Path(found)
    assert path == bundle_folder() / VEGA_SCRIPT
    assert not path.is_relative_to(STATIC)
    script = path.read_text(encoding="utf-8")
    assert script.endswith(vega_bundle())
    assert "vegaEmbed" in script
    # and it says what it is, from which package and under which licence
    versions = bundle_versions()
    header = script.splitlines()[0] + script.splitlines()[1]
    assert f"Vega {versions['Vega']}" in header
    assert f"Vega-Lite {versions['Vega-Lite']}" in header
    assert f"vl-convert-python {versions['vl-convert-python']}" in header
    assert "BSD 3-Clause" in header


def test_a_second_look_reads_the_written_file() -> None:
    path = write_bundle()
    written = path.stat().st_mtime_ns
    assert finders.find(VEGA_SCRIPT) == str(path)
    assert path.stat().st_mtime_ns == written
    assert finders.find("insights/vendor/nothing.js") is None


def test_a_section_with_charts_loads_the_library_as_a_static_file(admin, login) -> None:
    now = timezone.now()
    chart = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "mark": "bar", "data": {"values": []}}
    section = {"key": "overview", "title": "overview", "headline": {}, "tables": {}, "charts": [chart], "notes": []}
    run = InsightRun.objects.create(
        filter_key="all", status=InsightRun.Status.DONE, started_at=now, finished_at=now, result={"sections": [section]}
    )
    page = login(admin).get(f"/staff/insights/{run.pk}/overview/").content.decode()
    assert f'<script src="/static/{VEGA_SCRIPT}" defer></script>' in page
    assert login(admin).get("/staff/insights/vega.js").status_code == 404


def test_collected_the_library_has_a_hashed_name_and_is_cached_for_good(settings, tmp_path) -> None:
    # given the production storage (hashed names), with only the insights app's files to collect
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "prosumo.insights.charts.VegaBundleFinder",
    ]
    settings.STATICFILES_DIRS = [STATIC]
    settings.WHITENOISE_USE_FINDERS = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", "--noinput", "--verbosity", "0")
    from django.templatetags.static import static

    url = static(VEGA_SCRIPT)
    assert url.startswith("/static/insights/vendor/vega-bundle.")
    assert url != f"/static/{VEGA_SCRIPT}"
    # when a browser asks for it (whitenoise answers before any view, and signed out)
    response = Client().get(url)
    # then it is the file, cached for ten years and never checked again
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Type"].startswith("text/javascript")
    assert b"".join(response.streaming_content) == write_bundle().read_bytes()
