"""The migration that gave API tokens scopes keeps what each token could do before."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("integrations", "0001_initial")]
AFTER = [("integrations", "0002_token_scopes_expiry")]


def test_existing_tokens_get_the_scopes_they_had(transactional_db, make_member):
    # given tokens made before scopes existed, for each kind of member
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Token = old.get_model("integrations", "ApiToken")
    people = {
        "member": make_member(),
        "moderator": make_member("moderator"),
        "superuser": make_member(superuser=True),
        "suspended": make_member("reviewer", suspended_at=timezone.now()),
    }
    for key, person in people.items():
        Token.objects.create(member_id=person.pk, name=key, prefix=key[:10], digest=f"{key:0<64}")
    Token.objects.create(
        member_id=people["member"].pk, name="revoked", prefix="r", digest="r" * 64, revoked_at=timezone.now()
    )
    # when
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    # then
    new = executor.loader.project_state(AFTER).apps.get_model("integrations", "ApiToken")
    rows = {t.name: (t.scopes, t.revoked_at is not None, t.revoked_reason) for t in new.objects.all()}
    assert rows == {
        "member": ("read write", False, ""),
        "moderator": ("read write staff", False, ""),
        "superuser": ("read write staff", False, ""),
        "suspended": ("read write staff", True, "suspended"),
        "revoked": ("read write", True, "revoked"),
    }
    # and backwards: the suspended member's token is as it was
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state(BEFORE).apps.get_model("integrations", "ApiToken")
    assert sorted(back.objects.filter(revoked_at__isnull=True).values_list("name", flat=True)) == [
        "member",
        "moderator",
        "superuser",
        "suspended",
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the schema as the next test expects it
