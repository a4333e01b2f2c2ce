from django.db import migrations

from prosumo.community.pseudonyms import pseudonym_for

BATCH = 1000


def give_pseudonyms(apps, schema_editor):
    """Members without a display name were shown by the start of their email address; now by a pseudonym.

    The pseudonym is the one `Member.name` falls back to, so nobody's name changes twice.
    """
    Member = apps.get_model("community", "Member")
    ids = list(Member.objects.filter(display_name="").order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = [Member(pk=pk, display_name=pseudonym_for(pk)) for pk in ids[start : start + BATCH]]
        Member.objects.bulk_update(batch, ["display_name"])


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0005_member_erased_at"),
    ]

    operations = [
        # Backwards the pseudonyms stay: they are display names the members may keep.
        migrations.RunPython(give_pseudonyms, migrations.RunPython.noop),
    ]
