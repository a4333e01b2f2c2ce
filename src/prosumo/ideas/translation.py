"""The content staff write in each language (django-modeltranslation; docs/contributing.md).

Each field listed here gets one column per language of the site (``title_en``,
``title_es``, ...). Reading ``campaign.title`` gives the reader's language, or the other
language where that one is empty, so a campaign written in one language still shows.
"""

from modeltranslation.translator import TranslationOptions, register

from prosumo.ideas.models import Campaign, DeclineReason


@register(Campaign)
class CampaignTranslation(TranslationOptions):
    fields = ("title", "brief", "stage_labels")


@register(DeclineReason)
class DeclineReasonTranslation(TranslationOptions):
    fields = ("label",)
