"""The decline reasons every site starts with (DEFAULT_DECLINE_REASONS, their one definition)."""

from django.db import migrations

from prosumo.ideas.models import DEFAULT_DECLINE_REASONS

def add(apps, schema_editor):
    DeclineReason = apps.get_model("ideas", "DeclineReason")
    for label in DEFAULT_DECLINE_REASONS:
        DeclineReason.objects.get_or_create(label=label)


def remove(apps, schema_editor):
    apps.get_model("ideas", "DeclineReason").objects.filter(label__in=DEFAULT_DECLINE_REASONS).delete()


class Migration(migrations.Migration):
    dependencies = [("ideas", "0002_search_index")]

    operations = [migrations.RunPython(add, remove)]
