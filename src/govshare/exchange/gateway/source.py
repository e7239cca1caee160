"""The gateway's source boundary (数据源边界): the one place a call reaches a provider's system.

The endpoints ask a ``Source`` for what a mount serves and get rows back, or a ``GatewayError``
that answers the call; how the connector is run (inline, on the event loop, in a worker thread)
and how its failures read to a caller stays behind it. ``ConnectorSource`` is the source of a
running gateway: the mounts' connectors (``exchange.connectors``).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from django.conf import settings
from django.utils import translation
from starlette.concurrency import run_in_threadpool

from govshare.exchange import connectors
from govshare.exchange.connectors.pg_async import greenlet_spawn
from govshare.exchange.gateway.errors import GatewayCode, GatewayError
from govshare.exchange.gateway.records import Call

logger = logging.getLogger("govshare.gateway")

SOURCE_THREADS = 8


class Source(Protocol):
    """Where a call's data comes from."""

    async def fetch(self, call: Call, method: str, *args: Any) -> Any:
        """The answer of the call's mount to ``method(*args)`` (``query``, ``verify`` or
        ``proxy``, as ``connectors.Connector`` defines them); its failures as GatewayError."""
        ...

    async def close(self) -> None:
        """Let go of every connection and thread (the gateway stops)."""
        ...


class ConnectorSource:
    """The mounts' connectors: inline for a SQLite file, on the loop for PostgreSQL
    (asynchronous connections), else in a worker thread."""

    def __init__(self) -> None:
        # Threads for sources over the network: as many as a source's pool has connections
        # (connectors/sql.py), so no more threads contend for the interpreter lock than can work.
        self.threads = ThreadPoolExecutor(SOURCE_THREADS, thread_name_prefix="gateway-sources")

    async def fetch(self, call: Call, method: str, *args: Any) -> Any:
        assert call.resource is not None
        mount = call.resource.mount_for(call.mode)
        language = "en" if call.english else settings.LANGUAGE_CODE

        def work(connector: Any = None) -> Any:
            connector = connector or connectors.connector_for(mount)
            if translation.get_language() == language:
                return getattr(connector, method)(*args)
            with translation.override(language):  # the connector's messages, in the caller's
                return getattr(connector, method)(*args)

        try:
            if _is_local(mount):
                return work()
            built = connectors.built_connector(mount)
            if getattr(built, "serves_from_loop", False):
                return await greenlet_spawn(work, built)
            return await asyncio.get_running_loop().run_in_executor(self.threads, work)
        except connectors.BadParameter as error:
            raise GatewayError(GatewayCode.INVALID, {"parameters": ("text", str(error))}) from None
        except connectors.UpstreamTimeout:
            logger.warning("gateway: %s timed out (%s)", call.resource.code, call.request_id)
            raise GatewayError(GatewayCode.UPSTREAM_TIMEOUT) from None
        except connectors.ConnectorError as error:
            # The reason stays in the node's log: it may describe the provider's systems.
            logger.warning(
                "gateway: %s failed: %s (%s)", call.resource.code, error, call.request_id
            )
            raise GatewayError(GatewayCode.UPSTREAM_FAILURE) from None

    async def close(self) -> None:
        await connectors.close_loop_connections()
        await run_in_threadpool(connectors.clear_connectors)
        self.threads.shutdown(wait=False)


def _is_local(mount: Any) -> bool:
    """A table in a SQLite file of the node's source directory: an indexed lookup there takes
    less time than handing it to a worker thread and back, so it runs on the event loop.
    Network databases and upstream APIs always go to a worker thread."""
    config = getattr(mount, "table_config", None) if mount.kind == "table" else None
    return config is not None and config.connection.engine == "sqlite"
