"""The system actor: who acts when a CLI command, the demo loader or a scheduled task writes.

It passes every permission check (like a platform admin) and is named "system" in the audit
trail, so machine writes stay distinguishable from people's.
"""

from __future__ import annotations


class SystemActor:
    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    is_system = True
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()


def system_actor() -> SystemActor:
    return SYSTEM
