"""Child-process commands for the import fault tests, run against the SQLite file the test serves.

python -m tests.concurrency.importing seed MEMBERS        # the voting community, and an admin's API token
python -m tests.concurrency.importing start FILE.csv      # queue an import of FILE.csv, print its id
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from prosumo.community.models import Member

    if argv[0] == "seed":
        from prosumo.community.tokens import token_create
        from tests.concurrency.site import seed

        tokens, ideas = seed(int(argv[1]))
        admin = Member.objects.get(email="load-admin@example.org")
        print(
            json.dumps(
                {
                    "tokens": tokens,
                    "ideas": ideas,
                    "admin": token_create(actor=admin, name="imports", scopes=["staff"])[1],
                }
            )
        )
    elif argv[0] == "start":
        from prosumo.community.imports import customer_import_create

        path = Path(argv[1])
        print(customer_import_create(actor=None, file_name=path.name, data=path.read_bytes()).pk)
    else:
        sys.exit(f"unknown command {argv[0]!r}: use seed MEMBERS or start FILE")


if __name__ == "__main__":
    main(sys.argv[1:])
