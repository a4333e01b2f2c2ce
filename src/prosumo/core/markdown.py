"""Markdown to safe HTML: members write Markdown, pages show sanitised HTML."""

from __future__ import annotations

import html
import re

import markdown as md
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "hr",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Render member-written Markdown to HTML with only harmless tags and links kept."""
    html = md.markdown(text or "", extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )


def markdown_text(text: str) -> str:
    """The words of member-written Markdown as a reader sees them: no markup, line and paragraph breaks kept.

    >>> markdown_text("A **bold** idea\\non two lines\\n\\n* and a list")
    'A bold idea\\non two lines\\n\\nand a list'
    >>> markdown_text("One paragraph.\\n\\nAnother.")
    'One paragraph.\\n\\nAnother.'
    """
    # A blank line after each block, as between paragraphs of the source.
    blocks = re.sub(r"(</(?:p|h\d|blockquote|pre|ul|ol|table)>)\n", "\\1\n\n", render_markdown(text))
    words = html.unescape(nh3.clean(blocks, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", words).strip()
