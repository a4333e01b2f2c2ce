"""A new web process builds, before it serves, what its first page would otherwise wait for."""

from __future__ import annotations

from django.template import engines

from prosumo.web.warm import TEMPLATES, warm_up


def test_warming_up_compiles_the_main_templates_and_reads_every_catalogue() -> None:
    # given a template cache as a new process has it: empty
    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    assert loader.get_template_cache == {}
    # when the process warms up
    compiled = warm_up()
    # then the main pages' templates (and what they include) are compiled and cached
    assert compiled == list(TEMPLATES)
    assert set(TEMPLATES) <= set(loader.get_template_cache)
    assert "web/base.html" in loader.get_template_cache
