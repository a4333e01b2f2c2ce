"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Schemathesis reads ``/api/openapi.json`` through the Django WSGI application, then for every
operation sends requests built from the document: boundary and type-breaking values
first (its "coverage" phase), then random ones ("fuzzing"), valid and invalid alike. Each
response must be no 5xx, carry a status the document declares for that operation, and
match the declared body schema and content type. It runs once signed in as a member and
once as staff (an admin), each with a bearer token, on whichever database the suite uses.

Bounded and repeatable: a fixed seed, deterministic generation and at most
``MAX_EXAMPLES`` random cases per operation, about 3,000 requests in all.

One of schemathesis's default checks is turned off on purpose: ``positive_data_acceptance`` expects every request that fits the schema to
succeed, but the document does not spell out the services' value rules (a title of 5 to
160 characters, a stage move the idea's stage allows), which answer 400 ``invalid`` as
docs/api.md says.

Warnings: the suite turns every warning into an error, and that is kept here on purpose.
Schemathesis warns when part of the document cannot be tested (an unused auth scheme, a
payload it cannot serialise, constants it could not read), so such a warning means the
test would silently cover less; it must fail until the document or this test is fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from prosumo.community.tokens import token_create

MAX_EXAMPLES = 20

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260407,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The test sends a real token itself; random Authorization headers only test 401, which test_auth covers.
            "with-security-parameters": False,
        },
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def people(member: Any, admin: Any, idea: Any, settings: Any) -> Iterator[dict[str, Any]]:
    """A member and an admin, with a public campaign holding one idea, so ids like 1 name real rows.

    The WSGI application closes the database connection after each request, which would end
    the test's transaction; Django's test client unhooks that signal the same way. Tasks are
    kept, not run, so that no fuzzed webhook address is ever called.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    yield {"member": member, "staff": admin}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["member", "staff"])
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_as_documented(case: schemathesis.Case, role: str, people: dict[str, Any]) -> None:
    # A fresh token per request: a fuzzed DELETE /api/tokens/{id} may revoke the one before it.
    scopes = ["write", "staff"] if role == "staff" else ["write"]
    _, token = token_create(actor=people[role], name="fuzz", scopes=scopes)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
