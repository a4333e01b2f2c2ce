"""One fresh web process's first visits (run by bench/firstvisit/run.py): prints one JSON line.

python -m bench.firstvisit.visit before|now
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

Application = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def request(application: Application, path: str, **headers: str) -> float:
    """Milliseconds for one GET through the WSGI application, body read to the end; fails unless 200."""
    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    setup_testing_defaults(environ)
    environ["HTTP_HOST"] = "localhost"
    status: list[str] = []
    started = time.perf_counter()
    body = application(environ, lambda code, _headers, *_: status.append(code))
    size = sum(len(chunk) for chunk in body)
    elapsed = (time.perf_counter() - started) * 1000
    if hasattr(body, "close"):
        body.close()
    if not status or not status[0].startswith("200") or not size:
        raise SystemExit(f"GET {path}: {status} with {size} bytes")
    return elapsed


def main(mode: str) -> dict[str, float]:
    started = time.perf_counter()
    if mode == "before":
        import gc

        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        gc.freeze()
    else:
        from prosumo.wsgi import application
    load_s = time.perf_counter() - started
    figures = {"load_s": load_s, "home_ms": request(application, "/")}
    figures["home_again_ms"] = request(application, "/")
    figures["home_es_ms"] = request(application, "/", accept_language="es")
    if mode == "before":
        from prosumo.analytics.report import vega_bundle

        started = time.perf_counter()
        vega_bundle()
        figures["chart_script_ms"] = (time.perf_counter() - started) * 1000
    else:
        from django.templatetags.static import static

        from prosumo.insights.charts import VEGA_SCRIPT

        figures["chart_script_ms"] = request(application, static(VEGA_SCRIPT), accept_encoding="gzip, br")
    return figures


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
