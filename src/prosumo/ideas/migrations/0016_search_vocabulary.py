from django.db import migrations


def create(apps, schema_editor):
    from prosumo.ideas.search import create_vocabulary

    create_vocabulary()


def drop(apps, schema_editor):
    from prosumo.ideas.search import drop_vocabulary

    drop_vocabulary()


class Migration(migrations.Migration):
    """FTS5's word counts (SQLite), so that similar ideas leave a draft's common words out of their query."""

    dependencies = [("ideas", "0015_content_in_each_language")]

    operations = [migrations.RunPython(create, drop)]
