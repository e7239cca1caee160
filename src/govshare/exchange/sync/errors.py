"""Why a sync run failed (同步失败原因): error codes with their rule in words (CONVENTIONS rule 7),
and the one exception the engine raises. Registered with core.errors when exchange is ready.

Messages name the cause (table, column, host) and never a secret: driver texts are cut to their
first line, and the connection's password is replaced, as ``connectors.sql.source_error`` does.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

ERROR_CHARS = 300


class SyncError(StrEnum):
    DESTINATION_LOGIN = "sync_destination_login"
    DESTINATION_UNREACHABLE = "sync_destination_unreachable"
    DESTINATION_ALTERED = "sync_destination_altered"
    DESTINATION_LOST = "sync_destination_lost"
    DESTINATION_FAILED = "sync_destination_failed"
    SOURCE_UNREACHABLE = "sync_source_unreachable"
    SOURCE_COLUMN_MISSING = "sync_source_column_missing"
    SOURCE_FAILED = "sync_source_failed"
    SPEC_INVALID = "sync_spec_invalid"
    # The runner's (exchange/sync/tasks.py): a run that did not end by itself.
    WORKER_LOST = "sync_worker_lost"
    STALLED = "sync_stalled"
    CONNECTOR_FAILED = "sync_connector_failed"
    INTERNAL = "sync_internal"


MESSAGES: dict[str, str | Promise] = {
    SyncError.DESTINATION_LOGIN: gettext_lazy("The front-end database accepts the credentials"),
    SyncError.DESTINATION_UNREACHABLE: gettext_lazy("The front-end database can be reached"),
    SyncError.DESTINATION_ALTERED: gettext_lazy(
        "The destination table keeps the columns and types the platform created"
    ),
    SyncError.DESTINATION_LOST: gettext_lazy("The front-end database stays available during a run"),
    SyncError.DESTINATION_FAILED: gettext_lazy("The front-end database accepts the delivered rows"),
    SyncError.SOURCE_UNREACHABLE: gettext_lazy("The source database can be reached"),
    SyncError.SOURCE_COLUMN_MISSING: gettext_lazy("The source table has every mapped column"),
    SyncError.SOURCE_FAILED: gettext_lazy("The source database answers the sync's queries"),
    SyncError.SPEC_INVALID: gettext_lazy("A subscription that can be run as configured"),
    SyncError.WORKER_LOST: gettext_lazy("The worker running a sync stays alive until it ends"),
    SyncError.STALLED: gettext_lazy("A running sync makes progress within the set time"),
    SyncError.CONNECTOR_FAILED: gettext_lazy("The databases of a sync answer its connections"),
    SyncError.INTERNAL: gettext_lazy("A sync run ends without an unexpected error"),
}


class SyncFailure(Exception):
    """A run failed for a reason named by ``code``; ``message`` is safe to show and store."""

    def __init__(self, code: SyncError, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


def driver_text(error: BaseException, secret: str = "") -> str:
    """The first line of a driver error, shortened, with the password (if any) hidden."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    text = (reason[0] if reason else type(error).__name__)[:ERROR_CHARS]
    return text.replace(secret, "***") if secret else text


# Driver phrases of a refused login (PostgreSQL, MySQL/MariaDB).
LOGIN_PHRASES = ("password authentication failed", "access denied", "no password supplied", "role")
# Driver phrases of a connection that went away under a running statement.
LOST_PHRASES = (
    "terminating connection",
    "server closed the connection",
    "connection is closed",
    "the connection is lost",
    "consuming input failed",
    "lost connection",
    "gone away",
    "does not exist",
    "doesn't exist",
    "unknown database",
    "no such table",
    "disk i/o error",
    "unable to open database",
    "connection already closed",
)


def is_login_error(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in LOGIN_PHRASES[:3]) or (
        "role" in lowered and "does not exist" in lowered
    )


def is_lost_error(text: str) -> bool:
    lowered = text.lower()
    return any(phrase in lowered for phrase in LOST_PHRASES)
