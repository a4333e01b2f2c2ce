# API tokens are a member's credentials: the model moves from integrations to community.
# Only Django's record of the models changes; the table and its rows stay where they are
# (`integrations_apitoken`).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0007_invitation_to_coauthor"),
        # The table was made, and given its last columns, by integrations.
        ("integrations", "0002_token_scopes_expiry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=80)),
                        ("prefix", models.CharField(max_length=12)),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        ("scopes", models.CharField(default="read", help_text="space-separated: read, write, staff", max_length=40)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "revoked_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("revoked", "Revoked by its member"),
                                    ("password_changed", "The member's password changed"),
                                    ("suspended", "The member was suspended"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="api_tokens",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "integrations_apitoken"},
                ),
            ],
        ),
    ]
