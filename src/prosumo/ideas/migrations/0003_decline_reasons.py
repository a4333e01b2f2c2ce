from django.db import migrations

REASONS = [
    "Already planned or in progress",
    "Duplicate of another idea",
    "Out of scope for this campaign",
    "Not feasible now",
    "Does not fit our product direction",
    "Did not reach the supporters needed in time",
]


def add(apps, schema_editor):
    DeclineReason = apps.get_model("ideas", "DeclineReason")
    for label in REASONS:
        DeclineReason.objects.get_or_create(label=label)


def remove(apps, schema_editor):
    apps.get_model("ideas", "DeclineReason").objects.filter(label__in=REASONS).delete()


class Migration(migrations.Migration):
    dependencies = [("ideas", "0002_search_index")]

    operations = [migrations.RunPython(add, remove)]
