from django.conf import settings
from django.db import migrations, models


def keep_one_build(apps, schema_editor):
    """Two builds under way before the rule: the newest goes on, the others are marked failed."""
    release = apps.get_model("insights", "OpenDataRelease")
    active = list(release.objects.filter(state__in=["queued", "building"]).order_by("-requested_at", "-id"))
    for older in active[1:]:
        older.state = "failed"
        older.error = "Another build was asked for at the same time; only one is built."
        older.save(update_fields=["state", "error"])


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0003_open_data"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_one_build, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="opendatarelease",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ["queued", "building"])),
                fields=("published",),
                name="one_open_data_build_at_a_time",
            ),
        ),
    ]
