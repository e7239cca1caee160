"""Connectors behind the catalog's mount slots (挂接): what the gateway calls to reach the data.

``connector_for(mount)`` gives the mount's connector, built once per configuration and reused
(database engines and HTTP clients keep their connections). A change of the configuration, or
of the database connection it uses, gives a new connector on the next call.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from govshare.catalog.choices import MountKind
from govshare.exchange.connectors.base import (
    BadParameter,
    Connector,
    ConnectorError,
    NotConfigured,
    UpstreamFailure,
    UpstreamTimeout,
)
from govshare.exchange.connectors.http import HttpConnector
from govshare.exchange.connectors.sql import SqlConnector, connector_for_table, dispose_engines

__all__ = [
    "BadParameter",
    "Connector",
    "ConnectorError",
    "HttpConnector",
    "NotConfigured",
    "SqlConnector",
    "UpstreamFailure",
    "UpstreamTimeout",
    "built_connector",
    "clear_connectors",
    "close_loop_connections",
    "connector_for",
    "connector_for_table",
]

_connectors: dict[int, tuple[tuple[Any, ...], Connector]] = {}
_lock = threading.Lock()


def connector_for(mount: Any) -> Connector:
    """The connector of a ``catalog.Mount`` (select_related ``table_config__connection`` or
    ``api_config`` to spare the queries). Raises NotConfigured when the slot is empty."""
    fingerprint, build = _recipe(mount)
    with _lock:
        cached = _connectors.get(mount.pk)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    connector = build()
    with _lock:
        previous = _connectors.get(mount.pk)
        _connectors[mount.pk] = (fingerprint, connector)
    if previous is not None and previous[1] is not connector:
        _close(previous[1])
    return connector


def built_connector(mount: Any) -> Connector | None:
    """The mount's connector if it is built for the current configuration, else None (without
    building it: that may reflect a table over the network)."""
    fingerprint, _build = _recipe(mount)
    with _lock:
        cached = _connectors.get(mount.pk)
    return cached[1] if cached is not None and cached[0] == fingerprint else None


async def close_loop_connections() -> None:
    """Close the connections connectors opened on the running event loop (a worker ending)."""
    with _lock:
        connectors = [connector for _, connector in _connectors.values()]
    for connector in connectors:
        if isinstance(connector, SqlConnector):
            await connector.close_loop_connections()


def _recipe(mount: Any) -> tuple[tuple[Any, ...], Any]:
    """The configuration's fingerprint, and how to build its connector; worked out once per
    mount instance (the gateway's policy holds its instances until it recompiles, and asks on
    every call)."""
    recipe = mount.__dict__.get("_connector_recipe")
    if recipe is None:
        recipe = mount.__dict__["_connector_recipe"] = _new_recipe(mount)
    return recipe


def _new_recipe(mount: Any) -> tuple[tuple[Any, ...], Any]:
    try:
        fingerprint: tuple[Any, ...]
        if mount.kind == MountKind.TABLE:
            table = mount.table_config
            connection = table.connection
            fingerprint = (
                "table",
                table.pk,
                connection.pk,
                connection.updated,
                table.table,
                _canonical(table.columns, table.key_items, table.row_filter),
            )
            return fingerprint, lambda: SqlConnector.from_config(table)
        if mount.kind == MountKind.API:
            api = mount.api_config
            fingerprint = (
                "api",
                api.pk,
                api.base_url,
                api.method,
                api.auth_header,
                api.auth_value_encrypted,
                api.timeout_ms,
                api.records_path,
                _canonical(api.key_params, api.fields),
            )
            return fingerprint, lambda: HttpConnector.from_config(api)
    except ObjectDoesNotExist:
        raise NotConfigured(_("This mount slot is not configured.")) from None
    raise NotConfigured(_("File sets are not served through the gateway."))


def _canonical(*parts: Any) -> str:
    return json.dumps(parts, sort_keys=True, ensure_ascii=False)


def _close(connector: Connector) -> None:
    if isinstance(connector, HttpConnector):
        connector.close()
    elif isinstance(connector, SqlConnector):
        connector.retire()


def clear_connectors() -> None:
    """Close every cached connector and database engine (tests; a worker shutting down)."""
    with _lock:
        connectors = [connector for _, connector in _connectors.values()]
        _connectors.clear()
    for connector in connectors:
        _close(connector)
    dispose_engines()
