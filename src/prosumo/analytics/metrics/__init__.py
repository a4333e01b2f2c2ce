"""The computations: functions from a dataset's tables to tables and typed results.

One module per question, each with a ``compute(ds)`` that gathers the question's
figures; helper modules (``activity``, ``attribution``) hold what several share. No
module here draws a chart or writes a sentence for the report: that is
:mod:`prosumo.analytics.sections` (an import contract keeps Altair out of here).
"""
