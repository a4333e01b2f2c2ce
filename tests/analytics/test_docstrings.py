"""The examples in the analytics' docstrings run, and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import prosumo.analytics.metrics

MODULES = [
    "prosumo.analytics.examples",
    *sorted(m.name for m in pkgutil.iter_modules(prosumo.analytics.metrics.__path__, "prosumo.analytics.metrics.")),
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    # given
    module = importlib.import_module(name)
    # when
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    # then (doctest prints each failing example above)
    assert result.failed == 0
