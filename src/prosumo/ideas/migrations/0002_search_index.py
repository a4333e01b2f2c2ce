from django.db import migrations


def create(apps, schema_editor):
    from prosumo.ideas.search import create_index

    create_index()


def drop(apps, schema_editor):
    from prosumo.ideas.search import drop_index

    drop_index()


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
