"""The `plain` filter that shows member-written Markdown as words in list summaries."""

from __future__ import annotations

import pytest

from prosumo.core.templatetags.prosumo_text import plain


@pytest.mark.parametrize(
    ("markdown", "words"),
    [
        ("A **bold** [idea](https://example.org) with `code`", "A bold idea with code"),
        ("# Title\n- one *two*\n> quoted", "Title\none two\nquoted"),
        ("![a photo](photo.png)Lantern", "Lantern"),
        ("2 * 3 = 6 and snake_case stay", "2 * 3 = 6 and snake_case stay"),
        ("", ""),
    ],
)
def test_plain_keeps_the_words_of_markdown(markdown: str, words: str) -> None:
    assert plain(markdown) == words
