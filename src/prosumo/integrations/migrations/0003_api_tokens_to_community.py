# API tokens moved to community (community 0008); the table stays as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0002_token_scopes_expiry"),
        ("community", "0008_api_tokens"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ApiToken")]),
    ]
