"""The presentation: each question's figures as a report section (headline, tables, charts, notes).

One module per question, each with ``present(figures) -> Section`` for the figures of
the matching ``prosumo.analytics.metrics`` module's ``compute``, and ``section(ds)``,
the two in one call. :mod:`prosumo.analytics.registry` lists them in report order.
"""
