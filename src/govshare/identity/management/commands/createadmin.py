"""``govshare createadmin``: create a platform administrator account."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govshare.core.actors import system_actor
from govshare.core.context import audit_context
from govshare.identity.services import user_create


class Command(BaseCommand):
    help = "Create a platform administrator (平台管理员)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("GOVSHARE_ADMIN_USERNAME"))
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"] or input("User name: ")
        password = os.environ.get("GOVSHARE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            with audit_context(source="cli"):
                user = user_create(
                    actor=system_actor(),
                    username=username,
                    password=password,
                    full_name=options["full_name"],
                    email=options["email"],
                    is_superuser=True,
                )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(messages)}"
                    for field, messages in error.message_dict.items()
                )
            ) from None
        self.stdout.write(self.style.SUCCESS(f"created platform administrator {user.username}"))
