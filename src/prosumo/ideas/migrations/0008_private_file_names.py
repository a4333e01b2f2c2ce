"""Give the attachments and campaign covers stored before now names nobody can guess.

Until now an attachment kept the name its author gave it (`attachments/2026/12/secret-plan.png`),
and anyone who knew or guessed the name could fetch it from the media folder. Each file is
copied to a random name in the same folder and its row updated; the old files are removed
once the migration has committed, so a migration that fails leaves every row pointing at a
file that is still there. A row whose file is missing is left alone. Going back keeps the
new names: nothing depends on the old ones.
"""

import re
from pathlib import PurePath

from django.db import migrations, models, transaction

import prosumo.ideas.models
from prosumo.core.storage import unguessable_name

RANDOM_STEM = re.compile(r"[A-Za-z0-9_-]{32}")


def rename(apps, schema_editor):
    for model_name, field_name in (("Attachment", "file"), ("Campaign", "cover")):
        model = apps.get_model("ideas", model_name)
        storage = model._meta.get_field(field_name).storage
        rows = model.objects.exclude(**{field_name: ""}).values_list("pk", field_name)
        for pk, old in rows.iterator():
            path = PurePath(old)
            if RANDOM_STEM.fullmatch(path.stem) or not storage.exists(old):
                continue
            with storage.open(old, "rb") as content:
                new = storage.save(unguessable_name(str(path.parent), old), content)
            model.objects.filter(pk=pk).update(**{field_name: new})
            transaction.on_commit(lambda old=old, storage=storage: storage.delete(old))


class Migration(migrations.Migration):
    dependencies = [("ideas", "0007_idea_approved")]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(upload_to=prosumo.ideas.models.attachment_upload_to),
        ),
        migrations.AlterField(
            model_name="campaign",
            name="cover",
            field=models.ImageField(blank=True, upload_to=prosumo.ideas.models.cover_upload_to),
        ),
        migrations.RunPython(rename, migrations.RunPython.noop),
    ]
