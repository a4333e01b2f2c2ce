"""The shipped templates name their items as the analytics read them, and speak Spanish too."""

from __future__ import annotations

from django.utils import translation

from prosumo.analytics.metrics.propensity import ETGAR_SIGNS, SURVEY_CENTRE
from prosumo.surveys.catalogue import SCALE_LABELS, SCALE_MAX, SCALE_MIN, TEMPLATES
from prosumo.synth import words


def test_template_items_are_the_items_the_analytics_read():
    keys = [key for template in TEMPLATES.values() for key in template.keys]
    # every item once, and together exactly the items the generator writes and the metrics read
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted(words.SURVEY_ITEMS)
    assert TEMPLATES["co_production"].keys == (*words.SURVEY_MOTIVES, "satisfaction")
    assert TEMPLATES["lead_user"].keys == words.SURVEY_LEAD_ITEMS
    # the propensity drivers' signs (motive_ +, cost_ -) and the lead-user scales' prefixes
    drivers = [k for k in TEMPLATES["co_production"].keys if k != "satisfaction"]
    assert all(any(k.startswith(prefix) for prefix in ETGAR_SIGNS) for k in drivers)
    assert [k[: len("lead_heb")] for k in TEMPLATES["lead_user"].keys] == ["lead_at_"] * 3 + ["lead_heb"] * 3


def test_the_scale_is_seven_points_centred_where_the_analytics_centre_it():
    assert (SCALE_MIN, SCALE_MAX) == (1, 7)
    assert list(SCALE_LABELS) == list(range(1, 8))
    assert (SCALE_MIN + SCALE_MAX) / 2 == SURVEY_CENTRE


def test_every_statement_has_its_spanish_wording():
    texts = [item.text for t in TEMPLATES.values() for item in t.items] + list(SCALE_LABELS.values())
    texts += [t.intro for t in TEMPLATES.values()]
    with translation.override("es"):
        spanish = [str(text) for text in texts] + [translation.gettext(t.title) for t in TEMPLATES.values()]
    with translation.override("en"):
        english = [str(text) for text in texts] + [t.title for t in TEMPLATES.values()]
    assert all(es != en for es, en in zip(spanish, english, strict=True)), [
        en for es, en in zip(spanish, english, strict=True) if es == en
    ]
