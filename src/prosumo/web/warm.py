"""What the first request of a new web process would otherwise build, built before it serves any.

A fresh process took about two seconds over its first page (bench/RESULTS.md): the URL
patterns import every app's views on first use (Insights' pull in pyarrow) and are indexed
for `{% url %}` once per language, each template is compiled the first time it is
rendered, and each language's catalogue is read the first time it is used. `prosumo.wsgi` calls `warm_up()` when Granian loads it, before the process
accepts a connection and before it freezes what it built (`gc.freeze()`).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver, resolve, reverse
from django.utils import translation

# The pages a visitor, a member or staff opens first; their includes compile with them.
TEMPLATES = (
    "web/base.html",
    "web/home.html",
    "ideas/campaigns.html",
    "ideas/campaign.html",
    "ideas/idea.html",
    "ideas/_idea_row.html",
    "account/login.html",
    "staff/queue.html",
    "insights/dashboard.html",
)


def warm_up() -> list[str]:
    """Import and index the URL patterns, compile the main templates, read every catalogue; returns the templates."""
    get_resolver().url_patterns  # noqa: B018 - reading it imports every app's urls and views
    compiled = []
    for name in TEMPLATES:
        get_template(name)
        compiled.append(name)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Campaigns")
            # the resolver indexes its patterns for {% url %} once per language, on first use
            resolve(reverse("home"))
    return compiled
