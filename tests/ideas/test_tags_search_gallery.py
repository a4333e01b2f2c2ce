"""Tags shown and filterable, the site-wide search, an idea's pictures on its page and cards, and its revision diff."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from prosumo.community.models import Segment
from prosumo.ideas import services

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_tags_show_on_the_idea_page_and_cards_and_a_tag_link_filters_the_list(
    campaign: Any, make_idea: Any, make_member: Any
) -> None:
    # given two tagged ideas
    author = make_member()
    solar = make_idea(author, title="Solar charger pocket", tags=["Solar", "power"])
    other = make_idea(author, title="Warmer sleeping bag", tags=["warmth"])
    # then the idea page shows its tags, each a link that filters the campaign's list
    page = Client().get(f"/ideas/{solar.pk}/").content.decode()
    assert re.findall(r'href="([^"]+)" rel="tag">#(\w+)<', page) == [
        (f"/c/{campaign.slug}/?tag=power", "power"),
        (f"/c/{campaign.slug}/?tag=solar", "solar"),
    ]
    # and so does each card of the list
    listing = Client().get(f"/c/{campaign.slug}/").content.decode()
    assert f'href="/c/{campaign.slug}/?tag=warmth" rel="tag">#warmth<' in listing
    # and following a tag lists only its ideas, says so, and keeps the tag in the order links
    filtered = Client().get(f"/c/{campaign.slug}/?tag=power").content.decode()
    assert solar.title in filtered
    assert other.title not in filtered
    assert "Ideas tagged #power" in filtered
    assert 'href="?tag=power&amp;order=new"' in filtered


def test_search_across_campaigns_best_match_first_with_the_query_kept(
    make_campaign: Any, make_idea: Any, make_member: Any, login: Any
) -> None:
    # given ideas in two campaigns, one about tents in its title and body, one mentioning tents once
    author = make_member()
    first, second = make_campaign(), make_campaign()
    weak = make_idea(author, in_campaign=first, title="Lighter backpack frame", body="Also fits under tents.")
    strong = make_idea(author, in_campaign=second, title="Tents for windy tents sites", body="Tents that hold in wind.")
    make_idea(author, in_campaign=first, title="Warmer sleeping bag", body="Down filling that stays dry.")
    # when someone searches from the header
    page = Client().get("/search/", {"q": "tents"}).content.decode()
    # then both campaigns' matches are listed, best match first, and the query stays in the box
    results = page[page.index('id="search-results"') :]
    assert re.findall(r'id="idea-(\d+)"', results) == [str(strong.pk), str(weak.pk)]
    assert "2 ideas match, best match first." in page
    assert 'id="site-search" value="tents"' in page
    assert "<title>Search: tents" in page


def test_search_says_when_nothing_matches_and_hides_what_the_reader_may_not_see(
    make_campaign: Any, make_idea: Any, make_member: Any, login: Any
) -> None:
    # given an idea in a campaign only the Gold segment may see
    gold = Segment.objects.create(name="Gold", slug="gold")
    secret = make_campaign(visibility="segment", segment_id=gold.pk)
    insider = make_member()
    insider.segment = gold
    insider.save(update_fields=["segment"])
    make_idea(insider, in_campaign=secret, title="Secret lantern design", body="A lantern for members only.")
    # when a visitor searches for it
    page = Client().get("/search/", {"q": "lantern"}).content.decode()
    # then nothing is found, and the page says so in words
    assert 'id="no-results"' in page
    assert "No idea matches “lantern”. Try fewer words, or other ones." in page
    assert "Secret lantern design" not in page
    # while a member of the segment finds it
    assert "Secret lantern design" in login(insider).get("/search/", {"q": "lantern"}).content.decode()
    # and an empty search asks for words instead of listing anything
    empty = Client().get("/search/", {"q": "  "}).content.decode()
    assert "Type a few words to find ideas" in empty
    assert 'id="search-results"' not in empty


def test_a_too_long_search_is_refused_with_a_message(db: Any) -> None:
    response = Client().get("/search/", {"q": "x" * 201})
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters (it has 201)." in response.content.decode()


def test_images_make_a_gallery_on_the_idea_page_and_the_cards_picture(
    media: Path, campaign: Any, make_idea: Any, member: Any
) -> None:
    # given an idea with two images and a PDF, and one without any
    idea = make_idea(member, title="Solar charger pocket")
    plain = make_idea(member, title="Warmer sleeping bag")
    first = services.attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("front.png", PNG))
    second = services.attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("side.png", PNG))
    services.attachment_add(actor=member, idea_id=idea.pk, upload=SimpleUploadedFile("plan.pdf", PDF))
    # then its page shows the images in a gallery, and the PDF as a link only
    page = Client().get(f"/ideas/{idea.pk}/").content.decode()
    gallery = page[page.index('id="gallery"') : page.index("</div>", page.index('id="gallery"'))]
    assert re.findall(r'<img src="([^"]+)" alt="([^"]+)"', gallery) == [
        (f"/ideas/{idea.pk}/attachments/{first.pk}/", "front.png"),
        (f"/ideas/{idea.pk}/attachments/{second.pk}/", "side.png"),
    ]
    assert ">plan.pdf</a>" in page
    assert "plan.pdf" not in gallery
    # and the list card shows its first image; the other card has no picture
    listing = Client().get(f"/c/{campaign.slug}/").content.decode()
    cards = {re.search(r'id="idea-(\d+)"', c)[1]: c for c in listing.split('class="card idea-row')[1:]}
    assert f'<img class="card-picture" src="/ideas/{idea.pk}/attachments/{first.pk}/"' in cards[str(idea.pk)]
    assert "<img" not in cards[str(plain.pk)]


def test_the_revision_diff_keeps_line_breaks_and_shows_the_text_as_it_reads(idea: Any, member: Any) -> None:
    # given an idea revised from one Markdown text on three lines to another
    services.idea_revise(
        actor=member, idea_id=idea.pk, title=idea.title, body="Poles **bent** ahead.\nFabric stays on.\n\n* Folds small"
    )
    services.idea_revise(
        actor=member,
        idea_id=idea.pk,
        title=idea.title,
        body="Poles **curved** ahead.\nFabric stays on.\n\n* Folds small",
    )
    # when the revisions page is read
    page = Client().get(f"/ideas/{idea.pk}/revisions/").content.decode()
    # then the latest change keeps the lines apart and shows words, not Markdown markup
    latest = page[page.index('class="diff-body">') : page.index("</p>", page.index('class="diff-body">'))]
    assert (
        latest
        == 'class="diff-body">Poles <del>bent</del> <ins>curved</ins> ahead.<br>Fabric stays on.<br><br>Folds small'
    )
    # and the revision itself reads as rendered text
    assert "<p>Poles <strong>curved</strong> ahead.\nFabric stays on.</p>\n<ul>\n<li>Folds small</li>\n</ul>" in page
