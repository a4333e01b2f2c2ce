"""Render titles, bodies, comments and staff answers from the word banks."""

from __future__ import annotations

import numpy as np

from prosumo.synth import words
from prosumo.synth.activity import Comments
from prosumo.synth.ideas import Ideas, Revisions
from prosumo.synth.schema import STAGES


def _feature(theme: int, novel: bool, index: int, language: int) -> str:
    bank = words.THEMES[theme].novel if novel else words.THEMES[theme].common
    return bank[index][language]


def _finish(text: str, language: int) -> str:
    return words.tidy_spanish(text) if language == 1 else text


def idea_texts(ideas: Ideas) -> tuple[list[str], list[str]]:
    """Title and first-revision body of every idea, in the idea's language."""
    titles, bodies = [], []
    for j in range(len(ideas.created)):
        lang = int(ideas.language[j])
        code = words.LANGUAGES[lang]
        theme = words.THEMES[ideas.theme[j]]
        novel = bool(ideas.novel[j])
        feature = _feature(ideas.theme[j], novel, ideas.feature[j], lang)
        product_names = words.PRODUCTS[ideas.product[j]]
        product = product_names.es if lang else product_names.en
        context = words.CONTEXTS[ideas.context[j]][lang]
        template = int(ideas.template[j])
        title = words.TITLE_TEMPLATES[code][template % 5].format(
            Feature=words.capitalise(feature),
            feature=feature,
            product=product,
            Product=words.capitalise(product),
        )
        parts = [
            theme.problem_es if lang else theme.problem_en,
            words.PROPOSAL_TEMPLATES[code][template % 3].format(feature=feature, product=product, context=context),
            theme.benefit_es if lang else theme.benefit_en,
        ]
        if novel and ideas.feature2[j] >= 0:
            second = _feature(ideas.theme[j], True, ideas.feature2[j], lang)
            parts.append(words.NOVEL_EXTRA[code][template % 3].format(context=context, feature=second))
        titles.append(_finish(title, lang))
        bodies.append(_finish(" ".join(parts), lang))
    return titles, bodies


def revision_bodies(revisions: Revisions, ideas: Ideas, first_bodies: list[str]) -> list[str]:
    """Body of each extra revision: the previous body plus an update note."""
    out: list[str] = []
    previous_idea, body = -1, ""
    for k in range(len(revisions.idea)):
        j = int(revisions.idea[k])
        if j != previous_idea:
            previous_idea, body = j, first_bodies[j]
        note = words.REVISION_NOTES[words.LANGUAGES[int(ideas.language[j])]][int(revisions.note[k])]
        body = f"{body}\n\n{note}"
        out.append(body)
    return out


def comment_bodies(comments: Comments, ideas: Ideas) -> list[str]:
    """Comment texts in the idea's language; builds-on comments propose a feature."""
    out = []
    for k in range(len(comments.idea)):
        j = int(comments.idea[k])
        lang = int(ideas.language[j])
        code = words.LANGUAGES[lang]
        pick = int(comments.template[k])
        bank: tuple[str, ...]
        if comments.builds_on[k]:
            bank = words.BUILDS_ON_TEMPLATES[code]
        elif comments.parent[k] >= 0:
            bank = words.REPLY_TEMPLATES[code]
        else:
            bank = words.COMMENT_TEMPLATES[code]
        common = words.THEMES[ideas.theme[j]].common
        feature = common[(pick >> 4) % len(common)][lang]
        names = words.PRODUCTS[ideas.product[j]]
        text = bank[pick % len(bank)].format(
            feature=feature,
            product=names.es if lang else names.en,
            context=words.CONTEXTS[(pick >> 8) % 10][lang],
        )
        out.append(_finish(text, lang))
    return out


def stage_messages(stage: np.ndarray, reason: np.ndarray, language: np.ndarray, into_id: np.ndarray) -> np.ndarray:
    """Staff answer for every stage change (``None`` for ``submitted``), via a lookup table."""
    messages = np.full(len(stage), None, dtype=object)
    for lang, code in enumerate(words.LANGUAGES):
        bank = words.STAGE_MESSAGES[code]
        for s, name in enumerate(STAGES):
            if name in ("submitted", "declined", "merged"):
                continue
            messages[(stage == s) & (language == lang)] = bank[name]
        declined = STAGES.index("declined")
        for r, reason_name in enumerate(words.DECLINE_REASONS):
            text = bank["declined"].format(reason=words.DECLINE_REASON_TEXT[code][reason_name])
            messages[(stage == declined) & (reason == r) & (language == lang)] = text
        merged = np.flatnonzero((stage == STAGES.index("merged")) & (language == lang))
        messages[merged] = [bank["merged"].format(into=int(i)) for i in into_id[merged]]
    return messages
