from django.db import migrations

from prosumo.core.phrases import english

BATCH = 1000


def names_without_addresses(apps, schema_editor):
    """Notifications kept the name of whoever acted; for a member without a display name that was
    the start of their email address. Put their display name (now a pseudonym) in its place.

    Only a name equal to the start of the actor's address is changed: a display name someone
    chose, even if later changed, stays as it was written.
    """
    Member = apps.get_model("community", "Member")
    Event = apps.get_model("activity", "Event")
    for model_name in ("Notification", "Fanout"):
        model = apps.get_model("notifications", model_name)
        rows = model.objects.filter(title_phrase__values__has_key="name", event_id__isnull=False).order_by("pk")
        changed = []
        for row in rows.iterator(chunk_size=BATCH):
            actor_id = Event.objects.filter(pk=row.event_id).values_list("actor_id", flat=True).first()
            actor = Member.objects.filter(pk=actor_id).only("email", "display_name").first()
            values = row.title_phrase.get("values", {})
            if actor is None or values.get("name") != actor.email.split("@", 1)[0]:
                continue
            if not actor.display_name or actor.display_name == values["name"]:
                continue
            row.title_phrase = {**row.title_phrase, "values": {**values, "name": actor.display_name}}
            row.title = english(row.title_phrase)[:200]
            changed.append(row)
            if len(changed) == BATCH:
                model.objects.bulk_update(changed, ["title_phrase", "title"])
                changed = []
        model.objects.bulk_update(changed, ["title_phrase", "title"])


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0003_fanout_and_digest_pending"),
        ("community", "0001_initial"),
        ("activity", "0001_initial"),
    ]

    operations = [
        # Backwards the names stay: the addresses they replaced should not come back.
        migrations.RunPython(names_without_addresses, migrations.RunPython.noop),
    ]
