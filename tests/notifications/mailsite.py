"""Seeding and reading the fault test's database from child processes (the worker's own settings).

python -m tests.notifications.mailsite invite EMAIL   # an invitation: its mail is queued, its task too
python -m tests.notifications.mailsite retry          # what the scheduler does every minute
python -m tests.notifications.mailsite rows           # the outgoing mail rows, as JSON
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from prosumo.core.models import OutgoingMail

    command = argv[0]
    if command == "invite":
        from prosumo.community.bootstrap import create_verified_member
        from prosumo.community.services import invitation_create

        admin = create_verified_member(email="admin@example.org", password="correct horse 12", role="admin")
        invitation_create(actor=admin, email=argv[1])
    elif command == "retry":
        from prosumo.core.tasks import retry_mail

        retry_mail.enqueue()
    elif command == "rows":
        rows = OutgoingMail.objects.order_by("pk").values("pk", "to", "status", "attempts", "message_id", "last_error")
        print(json.dumps(list(rows)))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
