"""The gateway's endpoints (网关接口): token, query, verify (核验), proxy, discovery, health.

Every call goes the same way: context headers → delivery log healthy? → token → resource →
grant → parameters → rate → data (in a worker thread) → masking (脱敏) → body → its delivery
record committed → answer. Any refusal on the way is an answer too, and recorded the same.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone, translation
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from govshare.core.client_ip import forwarded_client
from govshare.core.crypto import constant_time_equal, sm3_hex
from govshare.core.text import escaped, is_storable
from govshare.exchange import connectors
from govshare.exchange.connectors.pg_async import greenlet_spawn
from govshare.exchange.gateway import clock, openapi, tokens
from govshare.exchange.gateway.errors import GatewayCode, GatewayError, error_body, wants_english
from govshare.exchange.gateway.params import (
    Params,
    check_params,
    integer,
    item_list,
    read_params,
    read_unchecked_params,
    refuse_unknown,
    single,
)
from govshare.exchange.gateway.policy import (
    CredentialPolicy,
    GrantPolicy,
    PolicyStore,
    ResourcePolicy,
    Snapshot,
)
from govshare.exchange.gateway.ratelimit import Limiter, LocalLimiter, make_limiter
from govshare.exchange.gateway.writer import DeliveryLogUnavailable, DeliveryWriter
from govshare.exchange.masking import mask

logger = logging.getLogger("govshare.gateway")

DEFAULT_LIMIT = 10
SOURCE_THREADS = 8
GC_THRESHOLDS = (20_000, 50, 50)  # CPython's default: (700, 10, 10)
MAX_LIMIT = openapi.MAX_LIMIT
MAX_OFFSET = openapi.MAX_OFFSET
PAGING = frozenset({"items", "limit", "offset"})
REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
# What a key value must look like, by the item's data type (信息项数据类型); others are text.
VALUE_FORMATS = {
    "I": re.compile(r"[+-]?[0-9]{1,19}"),
    "N": re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,10})?"),
    "Y": re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,10})?"),
    "F": re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,10})?"),
    "B": re.compile(r"[+-]?[0-9]{1,30}(\.[0-9]{1,10})?"),
    "D": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "L": re.compile(r"(?i)true|false|0|1"),
}
# The caller's context headers: (header, longest value) — the record's field lengths.
CONTEXT_HEADERS = {"x-end-user": 100, "x-case-number": 100}
APP_KEY_CHARS = 32  # DeliveryRecord.app_key
Handler = Callable[[Request, "Call"], Awaitable[dict[str, Any]]]


@dataclass
class Call:
    """What one call did, for its answer and its delivery record."""

    mode: str
    created: dt.datetime
    started: float
    request_id: str
    client_ip: str
    english: bool
    echo: dict[str, str]
    end_user: str = ""
    case_number: str = ""
    header_error: GatewayError | None = None
    app_key: str = ""
    credential: CredentialPolicy | None = None
    resource: ResourcePolicy | None = None
    grant: GrantPolicy | None = None
    items: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    row_count: int = 0


def _header_value(raw: str, longest: int) -> tuple[str, tuple[str, Any] | str | None]:
    """A context header as its record keeps it, and the rule it breaks (None: none).

    Starlette hands the value over decoded as latin-1; its bytes are UTF-8. A refused value is
    still recorded: bytes that are not UTF-8 and control characters escaped, cut to the column.
    """
    text = raw.encode("latin-1").decode("utf-8", "surrogateescape")
    if not is_storable(text):
        return escaped(text, longest), "bad_characters"
    if len(text) > longest:
        return text[:longest], ("too_long", longest)
    return text, None


def time_ordered_id() -> str:
    """A request id for a call that brings none: a UUID version 7 (RFC 9562) in hex — the time
    in milliseconds, then 74 random bits. Ids made one after another sort together, so the
    delivery log's request-id index grows at its end instead of at random pages (random ids
    doubled the time of each log write)."""
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | 0b10 << 62
    value |= int.from_bytes(os.urandom(10)) & RANDOM_BITS
    return f"{value:032x}"


# The random bits of a UUIDv7: 12 after the version nibble, 62 after the variant bits.
RANDOM_BITS = (0xFFF << 64) | ((1 << 62) - 1)


def caller_address(request: Request) -> str:
    """The caller's address: the connection's peer, or behind a trusted proxy (issue #11: the
    allow-lists and the log must see the client, not the proxy) the client it forwards for."""
    client = request.scope.get("client")
    peer = str(client[0]) if client else ""
    if not settings.GOVSHARE_TRUSTED_PROXIES:
        return peer[:45]
    forwarded = forwarded_client(peer, request.headers.get("x-forwarded-for", ""))
    return (forwarded or peer)[:45]


def begin(request: Request, mode: str) -> Call:
    headers = request.headers
    call = Call(
        mode=mode,
        created=timezone.now(),
        started=time.perf_counter(),
        request_id=time_ordered_id(),
        client_ip=caller_address(request),
        english=wants_english(headers.get("accept-language", "")),
        echo={},
    )
    given_id = headers.get("x-request-id")
    if given_id is not None:
        if REQUEST_ID.fullmatch(given_id):
            call.request_id = given_id
        else:
            call.header_error = GatewayError(GatewayCode.INVALID, {"X-Request-Id": "bad_header"})
    call.echo["X-Request-Id"] = call.request_id
    for name, longest in CONTEXT_HEADERS.items():
        raw = headers.get(name)
        if raw is None:
            continue
        text, broken = _header_value(raw, longest)
        shown = "X-End-User" if name == "x-end-user" else "X-Case-Number"
        setattr(call, "end_user" if name == "x-end-user" else "case_number", text)
        if broken is not None:
            call.header_error = GatewayError(GatewayCode.INVALID, {shown: broken})
        else:
            call.echo[shown] = raw
    return call


def render(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate got this far: JSON's \u escapes carry it
        return json.dumps(payload, separators=(",", ":"), default=str).encode()


def bare_call(request: Request, mode: str) -> Call:
    """A call for an answer when ``begin`` itself failed: nothing of the caller's headers."""
    request_id = time_ordered_id()
    return Call(
        mode=mode,
        created=timezone.now(),
        started=time.perf_counter(),
        request_id=request_id,
        client_ip=caller_address(request),
        english=False,
        echo={"X-Request-Id": request_id},
    )


class Gateway:
    """The Starlette app and what it keeps: the policy, the delivery writer, the rate limiter."""

    def __init__(self, *, poll_seconds: float = 1.0, redis_url: str | None = None) -> None:
        self.policy = PolicyStore(poll_seconds=poll_seconds)
        self.writer = DeliveryWriter()
        # Threads for sources over the network: as many as a source's pool has connections
        # (connectors/sql.py), so no more threads contend for the interpreter lock than can work.
        self.sources = ThreadPoolExecutor(SOURCE_THREADS, thread_name_prefix="gateway-sources")
        self.redis_url = (
            getattr(settings, "GOVSHARE_REDIS_URL", "") if redis_url is None else redis_url
        )
        self.limiter: Limiter = LocalLimiter(timezone.get_default_timezone())
        # The data calls first: routes are matched in order, and these are nearly all calls.
        routes = [
            Route(
                "/gw/resources/{ref:path}/query",
                self._endpoint("query", self.query),
                methods=["GET", "POST"],
            ),
            Route(
                "/gw/resources/{ref:path}/verify",
                self._endpoint("verify", self.verify),
                methods=["POST"],
            ),
            Route(
                "/gw/resources/{ref:path}/proxy",
                self._endpoint("proxy", self.proxy),
                methods=["GET", "POST"],
            ),
            Route("/gw/token", self._endpoint("token", self.token), methods=["POST"]),
            Route("/gw/resources", self._endpoint("discovery", self.discover), methods=["GET"]),
            Route(
                "/gw/resources/{ref:path}/openapi.json",
                self._endpoint("openapi", self.openapi),
                methods=["GET"],
            ),
            Route("/gw/health", self.health, methods=["GET"]),
        ]
        for route in routes[:-1]:
            _refuse_head(route)
        starlette = Starlette(
            routes=routes,
            lifespan=self.lifespan,
            exception_handlers={HTTPException: self.http_error, Exception: self.crashed},
        )
        starlette.state.gateway = self
        # "/gw/token/" is a recorded 404 like any unknown path, not an unrecorded redirect.
        starlette.router.redirect_slashes = False
        data_calls = {
            mode: (frozenset(route.methods or ()), route.endpoint)
            for mode, route in zip(("query", "verify", "proxy"), routes, strict=False)
        }
        self.app = FrontDoor(starlette, data_calls)

    # --- life -----------------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> Any:
        await run_in_threadpool(self.first_load)
        self.policy.start()
        await self.writer.start()
        prefix = f"govshare:{settings.GOVSHARE_NODE_CODE}:gw"
        self.limiter = make_limiter(self.redis_url, settings.TIME_ZONE, prefix)
        # What start-up loaded (Django, models, the policy) lives as long as the process: out
        # of the collector's way, full collections stay short; and a call's short-lived dicts
        # need not trigger a collection every 700 allocations. Measured on PostgreSQL: p99
        # latency 84 → 33 ms, collections had paused the loop under every few hundred calls.
        thresholds = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            self.policy.stop()
            await self.writer.stop()
            await self.limiter.close()
            await connectors.close_loop_connections()
            await run_in_threadpool(connectors.clear_connectors)
            self.sources.shutdown(wait=False)
            gc.unfreeze()  # a process that goes on (tests) collects as usual again
            gc.set_threshold(*thresholds)

    def first_load(self) -> None:
        try:
            self.policy.load()
        finally:
            connections.close_all()  # this worker thread's: it may not live long

    # --- the common path ------------------------------------------------------------------

    def _endpoint(self, mode: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await self.serve(request, mode, handler)
            except Exception as error:  # a fault on the common path itself (issue #11, item 2)
                return await self.crashed(request, error, mode)

        return endpoint

    async def serve(self, request: Request, mode: str, handler: Handler) -> Response:
        call = begin(request, mode)
        try:
            if call.header_error is not None:
                raise call.header_error
            if not self.writer.is_healthy:
                raise GatewayError(GatewayCode.DELIVERY_LOG_UNAVAILABLE)
            payload = await handler(request, call)
        except GatewayError as error:
            return await self.answer_error(call, error)
        except Exception:
            logger.exception("gateway: %s call %s failed", mode, call.request_id)
            return await self.answer_error(call, GatewayError(GatewayCode.INTERNAL))
        return await self.answer(call, 200, payload)

    async def answer_error(self, call: Call, error: GatewayError) -> Response:
        call.items, call.masked, call.row_count = [], [], 0
        body = error_body(error, call.english)
        return await self.answer(call, error.status, body, error.code, error.headers)

    async def answer(
        self,
        call: Call,
        status: int,
        payload: Any,
        code: str = "",
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Render, record, wait for the record's commit, then answer (never the other way)."""
        body = render(payload)
        record = self.record(call, status, code, body)
        if code == GatewayCode.DELIVERY_LOG_UNAVAILABLE:
            self.writer.record_refusal(record)
        else:
            try:
                await self.writer.commit(record)
            except DeliveryLogUnavailable:
                return await self.answer_error(
                    call, GatewayError(GatewayCode.DELIVERY_LOG_UNAVAILABLE)
                )
        all_headers = {
            **call.echo,
            "Cache-Control": "no-store",
            "Content-Language": "en" if call.english else "zh-CN",
            **(headers or {}),
        }
        return Response(body, status, all_headers, media_type="application/json")

    def record(self, call: Call, status: int, code: str, body: bytes) -> dict[str, Any]:
        """The call's delivery record, as DeliveryRecord field values (no model instance:
        building one cost more than the rest of the record)."""
        credential, grant, resource = call.credential, call.grant, call.resource
        return {
            "created": call.created,
            "request_id": call.request_id,
            "application_id": credential.application_id if credential else None,
            "application_name": credential.application_name if credential else "",
            "consumer_id": grant.consumer_id
            if grant
            else (credential.department_id if credential else None),
            "consumer_name": grant.consumer_name
            if grant
            else (credential.department_name if credential else ""),
            "provider_id": resource.provider_id if resource else None,
            "resource_id": resource.id if resource else None,
            "resource_name": resource.name[:200] if resource else "",
            "grant_id": grant.id if grant else None,
            "share_request_number": grant.request_number if grant else "",
            "purpose": grant.purpose if grant else "",
            "app_key": credential.app_key if credential else call.app_key,
            "end_user": call.end_user,
            "case_number": call.case_number,
            "mode": call.mode,
            "items": list(call.items),
            "masked": list(call.masked),
            "row_count": call.row_count,
            "status": status,
            "error_code": code,
            "latency_ms": round((time.perf_counter() - call.started) * 1000, 3),
            "body_digest": sm3_hex(body),
            "client_ip": call.client_ip[:45],
        }

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Routing's 404 and 405, as JSON and recorded like any other call."""
        status = getattr(exc, "status_code", 404)
        code = GatewayCode.METHOD_NOT_ALLOWED if status == 405 else GatewayCode.NOT_FOUND
        headers = dict(getattr(exc, "headers", None) or {})
        try:
            call = begin(request, "unknown")
            return await self.answer_error(call, GatewayError(code, headers=headers))
        except Exception as error:
            return await self.crashed(request, error)

    async def crashed(self, request: Request, exc: Exception, mode: str = "unknown") -> Response:
        """An unexpected fault: answered 500 with the error body and recorded like any answer
        (issue #11, item 2: such answers left no record). Only a second fault while answering
        it leaves a 500 without its record, and the node's log says so."""
        logger.error("gateway: unhandled error in a %s call", mode, exc_info=exc)
        internal = GatewayError(GatewayCode.INTERNAL)
        try:
            return await self.answer_error(bare_call(request, mode), internal)
        except Exception:
            logger.exception("gateway: a 500 answer could not be recorded")
            return Response(render(error_body(internal, False)), 500, media_type="application/json")

    # --- checks ---------------------------------------------------------------------------

    def authenticate(self, request: Request, call: Call) -> tuple[Snapshot, CredentialPolicy]:
        snapshot = self.policy.snapshot
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GatewayError(
                GatewayCode.NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"}
            )
        claims = tokens.parse(token.strip())
        credential = snapshot.credentials.get(claims.credential_id)
        # A rotated secret bumps the generation: every older token stops here.
        if credential is None or credential.generation != claims.generation:
            raise GatewayError(GatewayCode.TOKEN_INVALID, headers={"WWW-Authenticate": "Bearer"})
        call.credential = credential
        self.check_credential(credential, call)
        return snapshot, credential

    @staticmethod
    def check_credential(credential: CredentialPolicy, call: Call) -> None:
        if credential.is_revoked:
            raise GatewayError(GatewayCode.CREDENTIAL_REVOKED)
        if not credential.allows_ip(call.client_ip):
            raise GatewayError(GatewayCode.IP_NOT_ALLOWED)

    def authorize(
        self, snapshot: Snapshot, call: Call, credential: CredentialPolicy, ref: str, mode: str
    ) -> tuple[ResourcePolicy, GrantPolicy]:
        resource = snapshot.resource(ref)
        if resource is None or resource.mount_for(mode) is None:
            raise GatewayError(GatewayCode.RESOURCE_NOT_FOUND)
        call.resource = resource
        today = clock.today()
        grant = snapshot.grant_for(credential.application_id, resource.id, mode, today)
        if grant is None:
            has_other = snapshot.has_any_grant(credential.application_id, resource.id)
            raise GatewayError(GatewayCode.MODE_NOT_GRANTED if has_other else GatewayCode.NO_GRANT)
        call.grant = grant
        problem = grant.problem(today)
        if problem is not None:
            raise GatewayError(problem)
        return resource, grant

    async def limit(self, grant: GrantPolicy) -> None:
        verdict = await self.limiter.hit(grant.id, grant.rate_per_minute, grant.daily_quota)
        if verdict.code is not None:
            raise GatewayError(verdict.code, headers={"Retry-After": str(verdict.retry_after)})

    @staticmethod
    def check_values(resource: ResourcePolicy, values: dict[str, list[str]]) -> None:
        """Key values fit their item: no longer than its length, of its data type."""
        for name, given in values.items():
            item = resource.items.get(name)
            if item is None:
                continue
            pattern = VALUE_FORMATS.get(item.data_type)
            for value in given:
                if item.length and len(value) > item.length:
                    raise GatewayError(GatewayCode.INVALID, {name: ("too_long", item.length)})
                if pattern is not None and value and not pattern.fullmatch(value):
                    raise GatewayError(GatewayCode.INVALID, {name: ("format", item.data_type)})

    @staticmethod
    def chosen_items(
        params: Params, grant: GrantPolicy, resource: ResourcePolicy, mode: str
    ) -> list[str]:
        """The granted items to deliver: all of them, or those named in ``items``."""
        served = resource.served_items(mode)
        granted = [item for item in served if item in grant.items]
        asked = item_list(params)
        if asked is None:
            if not granted:
                raise GatewayError(GatewayCode.ITEM_NOT_GRANTED)
            return granted
        unknown = [item for item in asked if item not in served]
        if unknown:
            raise GatewayError(GatewayCode.INVALID, dict.fromkeys(unknown[:10], "unknown_item"))
        refused = [item for item in asked if item not in grant.items]
        if refused:
            raise GatewayError(
                GatewayCode.ITEM_NOT_GRANTED, dict.fromkeys(refused[:10], "not_granted")
            )
        return [item for item in granted if item in asked]

    async def from_source(self, call: Call, method: str, *args: Any) -> Any:
        """Call the mount's connector — inline for a SQLite file, on the loop for PostgreSQL
        (asynchronous connections), else in a worker thread; its errors become answers."""
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
            return await asyncio.get_running_loop().run_in_executor(self.sources, work)
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

    @staticmethod
    def masked_rows(
        rows: list[dict[str, Any]], items: list[str], grant: GrantPolicy, call: Call
    ) -> list[dict[str, Any]]:
        """Rows holding exactly ``items``, each masked as granted (whatever the source sent)."""
        kinds = {item: grant.items[item] for item in items}
        call.items = list(items)
        call.masked = [item for item, kind in kinds.items() if kind != "none"]
        call.row_count = len(rows)
        return [{item: mask(kinds[item], row.get(item)) for item in items} for row in rows]

    # --- endpoints ------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        healthy = self.writer.is_healthy
        snapshot = self.policy._snapshot
        payload = {
            "status": "ok" if healthy and snapshot else "unavailable",
            "delivery_log": "ok" if healthy else "failing",
            # Records that could not be written as given since start: each kept in the
            # quarantine file, a substitute in the log (writer.py); above 0 wants a look.
            "records_set_aside": self.writer.set_aside,
            "policy_stamp": snapshot.stamp if snapshot else None,
        }
        return Response(render(payload), 200 if healthy else 503, media_type="application/json")

    async def token(self, request: Request, call: Call) -> dict[str, Any]:
        params = await read_unchecked_params(request)
        # The key tried is evidence even when refused: escaped and cut to its column.
        call.app_key = escaped((params.get("app_key") or [""])[0], APP_KEY_CHARS)
        check_params(params)
        refuse_unknown(params, {"app_key", "app_secret", "grant_type"})
        app_key, secret = single(params, "app_key"), single(params, "app_secret")
        missing = [
            name for name, value in (("app_key", app_key), ("app_secret", secret)) if not value
        ]
        if missing:
            raise GatewayError(GatewayCode.INVALID, dict.fromkeys(missing, "required"))
        assert app_key is not None and secret is not None
        snapshot = self.policy.snapshot
        credential = snapshot.credentials_by_key.get(app_key)
        digest = sm3_hex(secret)  # computed either way: timing does not tell keys apart
        if credential is None or not constant_time_equal(digest, credential.secret_hash):
            raise GatewayError(GatewayCode.BAD_CREDENTIALS)
        call.credential = credential
        self.check_credential(credential, call)
        lifetime = snapshot.token_seconds
        return {
            "access_token": tokens.issue(credential.id, credential.generation, lifetime),
            "token_type": "Bearer",
            "expires_in": lifetime,
        }

    async def query(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot, credential = self.authenticate(request, call)
        ref = request.path_params["ref"]
        resource, grant = self.authorize(snapshot, call, credential, ref, "query")
        await self.limit(grant)
        params = await read_params(request)
        keys_allowed = resource.keys_for("query")
        refuse_unknown(params, {*keys_allowed, *PAGING})
        items = self.chosen_items(params, grant, resource, "query")
        limit = integer(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        offset = integer(params, "offset", 0, MAX_OFFSET)
        keys = {key: params[key] for key in keys_allowed if params.get(key)}
        if not keys:
            raise GatewayError(GatewayCode.MISSING_KEY, dict.fromkeys(keys_allowed, "required"))
        self.check_granted(keys, grant)
        self.check_values(resource, keys)
        row_filter = {item: list(values) for item, values in grant.row_filter.items()}
        rows = await self.from_source(call, "query", keys, items, row_filter, limit, offset)
        return self.rows_payload(resource, grant, call, rows, items, limit, offset)

    @staticmethod
    def check_granted(names: Any, grant: GrantPolicy) -> None:
        """Values looked up or compared are of granted items only: a match, or the rows a
        lookup returns, would otherwise tell what a non-granted item holds."""
        refused = [name for name in names if name not in grant.items]
        if refused:
            raise GatewayError(
                GatewayCode.ITEM_NOT_GRANTED, dict.fromkeys(refused[:10], "not_granted")
            )

    def rows_payload(
        self,
        resource: ResourcePolicy,
        grant: GrantPolicy,
        call: Call,
        rows: list[dict[str, Any]],
        items: list[str],
        limit: int,
        offset: int,
    ) -> dict[str, Any]:
        delivered = self.masked_rows(rows, items, grant, call)
        return {
            "resource": resource.code or str(resource.id),
            "items": items,
            "masked": call.masked,
            "row_count": len(delivered),
            "limit": limit,
            "offset": offset,
            "rows": delivered,
        }

    async def verify(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot, credential = self.authenticate(request, call)
        ref = request.path_params["ref"]
        resource, grant = self.authorize(snapshot, call, credential, ref, "verify")
        await self.limit(grant)
        params = await read_params(request)
        keys = resource.keys_for("verify")
        served = set(resource.served_items("verify"))
        unknown = [name for name in params if name not in served and name not in keys]
        if unknown:
            raise GatewayError(
                GatewayCode.UNKNOWN_PARAMETER, dict.fromkeys(unknown[:10], "unknown")
            )
        # Every value compared, the key that locates the row included, must be a granted item:
        # otherwise a yes/no answer would tell what a non-granted item holds.
        self.check_granted(params, grant)
        values = {name: single(params, name) or "" for name in params}
        if not any(values.get(key) for key in keys):
            raise GatewayError(GatewayCode.MISSING_KEY, dict.fromkeys(keys, "required"))
        self.check_values(resource, {name: [value] for name, value in values.items()})
        # The first key item given locates the row (the mount lists them by priority); every
        # other value, keys included, is compared with what the row holds.
        locator = next(key for key in keys if values.get(key))
        row_filter = {item: list(allowed) for item, allowed in grant.row_filter.items()}
        outcome = await self.from_source(call, "verify", values, [locator], row_filter)
        found = outcome is not None
        results = {name: bool(found and outcome.get(name)) for name in values}
        call.items, call.row_count = list(values), int(found)
        return {"found": found, "match": found and all(results.values()), "results": results}

    async def proxy(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot, credential = self.authenticate(request, call)
        ref = request.path_params["ref"]
        resource, grant = self.authorize(snapshot, call, credential, ref, "proxy")
        await self.limit(grant)
        params = await read_params(request)
        passed = resource.keys_for("proxy")
        refuse_unknown(params, {*passed, *PAGING})
        items = self.chosen_items(params, grant, resource, "proxy")
        limit = integer(params, "limit", MAX_LIMIT, MAX_LIMIT)
        offset = integer(params, "offset", 0, MAX_OFFSET)
        upstream = {name: value for name in passed if (value := single(params, name)) is not None}
        self.check_values(resource, {name: [value] for name, value in upstream.items()})
        # The grant's row filter is applied here: fetch its items too, keep matching records.
        wanted = list(dict.fromkeys([*items, *grant.row_filter]))
        records = await self.from_source(call, "proxy", upstream, wanted)
        kept = [
            record
            for record in records
            if all(str(record.get(item)) in allowed for item, allowed in grant.row_filter.items())
        ]
        rows = kept[offset : offset + limit]
        return self.rows_payload(resource, grant, call, rows, items, limit, offset)

    async def discover(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot, credential = self.authenticate(request, call)
        today = clock.today()
        entries = []
        for grant in snapshot.grants_by_application.get(credential.application_id, ()):
            resource = snapshot.resource(str(grant.resource_id))
            if resource is None or resource.mount_for(grant.mode) is None:
                continue
            entries.append(self.entry(resource, grant, today))
        call.row_count = len(entries)
        return {"application": credential.application_name, "resources": entries}

    @staticmethod
    def entry(resource: ResourcePolicy, grant: GrantPolicy, today: dt.date) -> dict[str, Any]:
        ref = resource.code or str(resource.id)
        problem = grant.problem(today)
        items = [
            {"identifier": item, "name": resource.items[item].name, "masking": grant.items[item]}
            for item in resource.served_items(grant.mode)
            if item in grant.items
        ]
        return {
            "id": resource.id,
            "code": resource.code,
            "name": resource.name,
            "provider": resource.provider_name,
            "mode": grant.mode,
            "state": problem.value if problem else "active",
            "valid_from": grant.valid_from.isoformat(),
            "valid_until": grant.valid_until.isoformat(),
            "daily_quota": grant.daily_quota,
            "rate_per_minute": grant.rate_per_minute,
            "key_items": list(resource.keys_for(grant.mode)),
            "items": items,
            "endpoint": f"/gw/resources/{ref}/{grant.mode}",
            "openapi": f"/gw/resources/{ref}/openapi.json",
        }

    async def openapi(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot, credential = self.authenticate(request, call)
        resource = snapshot.resource(request.path_params["ref"])
        if resource is None:
            raise GatewayError(GatewayCode.RESOURCE_NOT_FOUND)
        call.resource = resource
        today = clock.today()
        grants = [
            grant
            for grant in snapshot.grants.get((credential.application_id, resource.id), ())
            if grant.problem(today) is None and resource.mount_for(grant.mode) is not None
        ]
        if not grants:
            raise GatewayError(GatewayCode.NO_GRANT)
        call.grant = grants[0]
        # The node's configured address, never the request's Host header (issue #11, item 6: a
        # forged Host made the document send a client's calls, and its token, elsewhere).
        return openapi.document(resource, grants, settings.GOVSHARE_PUBLIC_URL)


def _refuse_head(route: Route) -> None:
    """Starlette answers HEAD wherever GET is served; on an endpoint that computes data a HEAD
    ran the lookup, spent quota and was logged as a delivery of everything, with no body sent
    (issue #11, item 6). Without it, HEAD is a recorded 405 like any other method not served."""
    if route.methods is not None:
        route.methods.discard("HEAD")


DATA_PATH = re.compile(r"/gw/resources/(.*)/(query|verify|proxy)")


class FrontDoor:
    """The gateway's ASGI entry: a data call goes straight to its endpoint, everything else
    (and a data path with a wrong method, for its 405) through the Starlette app.

    The endpoints answer every error themselves, so the router and the exception middleware
    have nothing to add on this path but their cost per call.
    """

    def __init__(
        self, starlette: Starlette, data_calls: dict[str, tuple[frozenset[str], Any]]
    ) -> None:
        self.starlette = starlette
        self.state = starlette.state
        self.data_calls = data_calls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            match = DATA_PATH.fullmatch(scope["path"])
            if match is not None:
                methods, endpoint = self.data_calls[match[2]]
                if scope["method"] in methods:
                    scope["path_params"] = {"ref": match[1]}
                    response = await endpoint(Request(scope, receive))
                    await response(scope, receive, send)
                    return
        await self.starlette(scope, receive, send)


def _is_local(mount: Any) -> bool:
    """A table in a SQLite file of the node's source directory: an indexed lookup there takes
    less time than handing it to a worker thread and back, so it runs on the event loop.
    Network databases and upstream APIs always go to a worker thread."""
    config = getattr(mount, "table_config", None) if mount.kind == "table" else None
    return config is not None and config.connection.engine == "sqlite"
