"""What every connector offers the gateway, and the errors it raises (接口与错误)."""

from __future__ import annotations

from typing import Any, Protocol


class ConnectorError(Exception):
    """A mount's source could not answer; the message is safe to show (never holds a secret)."""


class UpstreamTimeout(ConnectorError):
    """The source did not answer within the mount's timeout (the gateway answers 504)."""


class UpstreamFailure(ConnectorError):
    """The source failed: unreachable, an error status, or an answer that is not JSON (502)."""


class BadParameter(ConnectorError):
    """The call names an item, key or parameter the mount does not offer (400)."""


class NotConfigured(ConnectorError):
    """The mount slot has no usable configuration (not mounted, or a kind not served)."""


class Connector(Protocol):
    def query(
        self,
        keys: dict[str, list[str]],
        items: list[str],
        row_filter: dict[str, list[str]],
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """Rows matching ``keys`` (OR within an item, AND across items) and ``row_filter``, as
        ``{item identifier: JSON-ready value}`` restricted to ``items``."""
        ...

    def verify(
        self,
        values: dict[str, str],
        key_items: list[str],
        row_filter: dict[str, list[str]] | None = None,
    ) -> dict[str, bool] | None:
        """Per submitted item, whether the stored value equals it (核验); None if no row
        (a row outside ``row_filter``, the grant's rows, is no row)."""
        ...

    def proxy(self, params: dict[str, str], items: list[str]) -> list[dict[str, Any]]:
        """(API mounts) the upstream's records for ``params``, restricted to ``items``."""
        ...
