"""Campaign titles, briefs, renamed stages and decline reasons in each language of the site."""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

from prosumo.ideas.models import DEFAULT_DECLINE_REASONS


def fill_default_language(apps, schema_editor):
    """Existing content becomes the site's default language; the other stays empty (and falls back).

    The decline reasons every site starts with are English, and the catalogue has them in
    the other languages.
    """
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    campaigns = apps.get_model("ideas", "Campaign")
    for campaign in campaigns.objects.all().only("pk", "title", "brief", "stage_labels"):
        campaigns.objects.filter(pk=campaign.pk).update(
            **{
                f"title_{language}": campaign.title,
                f"brief_{language}": campaign.brief,
                f"stage_labels_{language}": campaign.stage_labels,
            }
        )
    reasons = apps.get_model("ideas", "DeclineReason")
    for reason in reasons.objects.all().only("pk", "label"):
        if reason.label in DEFAULT_DECLINE_REASONS:
            texts = {}
            for code in settings.MODELTRANSLATION_LANGUAGES:
                with translation.override(code):
                    texts[f"label_{code}"] = translation.gettext(reason.label)
        else:
            texts = {f"label_{language}": reason.label}
        reasons.objects.filter(pk=reason.pk).update(**texts)


class Migration(migrations.Migration):

    dependencies = [
        ('ideas', '0014_pairwise_and_budget_modes'),
    ]

    operations = [
        migrations.AddField(
            model_name='campaign',
            name='brief_en',
            field=models.TextField(help_text='Markdown', null=True),
        ),
        migrations.AddField(
            model_name='campaign',
            name='brief_es',
            field=models.TextField(help_text='Markdown', null=True),
        ),
        migrations.AddField(
            model_name='campaign',
            name='stage_labels_en',
            field=models.JSONField(blank=True, default=dict, null=True),
        ),
        migrations.AddField(
            model_name='campaign',
            name='stage_labels_es',
            field=models.JSONField(blank=True, default=dict, null=True),
        ),
        migrations.AddField(
            model_name='campaign',
            name='title_en',
            field=models.CharField(max_length=160, null=True),
        ),
        migrations.AddField(
            model_name='campaign',
            name='title_es',
            field=models.CharField(max_length=160, null=True),
        ),
        migrations.AddField(
            model_name='declinereason',
            name='label_en',
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='declinereason',
            name='label_es',
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.RunPython(fill_default_language, migrations.RunPython.noop, elidable=True),
    ]
