"""The gateway's endpoints (网关接口): token, query, verify (核验), proxy, discovery, health.

Every call goes the same way: context headers → delivery log healthy? → token → resource →
grant → parameters → rate → data → masking (脱敏) → body → its delivery record committed →
answer. Any refusal on the way is an answer too, and recorded the same. The checks are in
``checks``, the call and its delivery record in ``records``, and the data comes through the
source boundary, ``source.Source``; here are the endpoints, their common path and their bodies.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from govshare.core.crypto import constant_time_equal, sm3_hex
from govshare.core.text import escaped
from govshare.exchange.gateway import checks, clock, openapi, tokens
from govshare.exchange.gateway.errors import GatewayCode, GatewayError, error_body
from govshare.exchange.gateway.params import (
    check_params,
    integer,
    read_params,
    read_unchecked_params,
    refuse_unknown,
    single,
)
from govshare.exchange.gateway.policy import GrantPolicy, PolicyStore, ResourcePolicy
from govshare.exchange.gateway.ratelimit import Limiter, LocalLimiter, make_limiter
from govshare.exchange.gateway.records import (
    Call,
    bare_call,
    begin,
    delivery_record,
    time_ordered_id,
)
from govshare.exchange.gateway.source import ConnectorSource, Source
from govshare.exchange.gateway.writer import DeliveryLogUnavailable, DeliveryWriter
from govshare.exchange.masking import mask

# ``begin`` and ``time_ordered_id`` (records.py) are named here as well: the common path calls
# ``begin`` through this module, and tests reach both here.
__all__ = ["FrontDoor", "Gateway", "begin", "time_ordered_id"]

logger = logging.getLogger("govshare.gateway")

DEFAULT_LIMIT = 10
GC_THRESHOLDS = (20_000, 50, 50)  # CPython's default: (700, 10, 10)
MAX_LIMIT = openapi.MAX_LIMIT
MAX_OFFSET = openapi.MAX_OFFSET
PAGING = frozenset({"items", "limit", "offset"})
APP_KEY_CHARS = 32  # DeliveryRecord.app_key
Handler = Callable[[Request, "Call"], Awaitable[dict[str, Any]]]


def render(payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate got this far: JSON's \u escapes carry it
        return json.dumps(payload, separators=(",", ":"), default=str).encode()


class Gateway:
    """The Starlette app and what it keeps: the policy, the delivery writer, the rate limiter,
    and the source the data comes from (``ConnectorSource`` unless one is given)."""

    def __init__(
        self,
        *,
        poll_seconds: float = 1.0,
        redis_url: str | None = None,
        source: Source | None = None,
    ) -> None:
        self.policy = PolicyStore(poll_seconds=poll_seconds)
        self.writer = DeliveryWriter()
        self.source: Source = ConnectorSource() if source is None else source
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
            await self.source.close()
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
        record = delivery_record(call, status, code, body)
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
        checks.check_credential(credential, call)
        lifetime = snapshot.token_seconds
        return {
            "access_token": tokens.issue(credential.id, credential.generation, lifetime),
            "token_type": "Bearer",
            "expires_in": lifetime,
        }

    async def query(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot = self.policy.snapshot
        credential = checks.authenticate(snapshot, request, call)
        ref = request.path_params["ref"]
        resource, grant = checks.authorize(snapshot, call, credential, ref, "query")
        await checks.limit(self.limiter, grant)
        params = await read_params(request)
        keys_allowed = resource.keys_for("query")
        refuse_unknown(params, {*keys_allowed, *PAGING})
        items = checks.chosen_items(params, grant, resource, "query")
        limit = integer(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)
        offset = integer(params, "offset", 0, MAX_OFFSET)
        keys = {key: params[key] for key in keys_allowed if params.get(key)}
        if not keys:
            raise GatewayError(GatewayCode.MISSING_KEY, dict.fromkeys(keys_allowed, "required"))
        checks.check_granted(keys, grant)
        checks.check_values(resource, keys)
        row_filter = {item: list(values) for item, values in grant.row_filter.items()}
        rows = await self.source.fetch(call, "query", keys, items, row_filter, limit, offset)
        return rows_payload(resource, grant, call, rows, items, limit, offset)

    async def verify(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot = self.policy.snapshot
        credential = checks.authenticate(snapshot, request, call)
        ref = request.path_params["ref"]
        resource, grant = checks.authorize(snapshot, call, credential, ref, "verify")
        await checks.limit(self.limiter, grant)
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
        checks.check_granted(params, grant)
        values = {name: single(params, name) or "" for name in params}
        if not any(values.get(key) for key in keys):
            raise GatewayError(GatewayCode.MISSING_KEY, dict.fromkeys(keys, "required"))
        checks.check_values(resource, {name: [value] for name, value in values.items()})
        # The first key item given locates the row (the mount lists them by priority); every
        # other value, keys included, is compared with what the row holds.
        locator = next(key for key in keys if values.get(key))
        row_filter = {item: list(allowed) for item, allowed in grant.row_filter.items()}
        outcome = await self.source.fetch(call, "verify", values, [locator], row_filter)
        found = outcome is not None
        results = {name: bool(found and outcome.get(name)) for name in values}
        call.items, call.row_count = list(values), int(found)
        return {"found": found, "match": found and all(results.values()), "results": results}

    async def proxy(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot = self.policy.snapshot
        credential = checks.authenticate(snapshot, request, call)
        ref = request.path_params["ref"]
        resource, grant = checks.authorize(snapshot, call, credential, ref, "proxy")
        await checks.limit(self.limiter, grant)
        params = await read_params(request)
        passed = resource.keys_for("proxy")
        refuse_unknown(params, {*passed, *PAGING})
        items = checks.chosen_items(params, grant, resource, "proxy")
        limit = integer(params, "limit", MAX_LIMIT, MAX_LIMIT)
        offset = integer(params, "offset", 0, MAX_OFFSET)
        upstream = {name: value for name in passed if (value := single(params, name)) is not None}
        checks.check_values(resource, {name: [value] for name, value in upstream.items()})
        # The grant's row filter is applied here: fetch its items too, keep matching records.
        wanted = list(dict.fromkeys([*items, *grant.row_filter]))
        records = await self.source.fetch(call, "proxy", upstream, wanted)
        kept = [
            record
            for record in records
            if all(str(record.get(item)) in allowed for item, allowed in grant.row_filter.items())
        ]
        rows = kept[offset : offset + limit]
        return rows_payload(resource, grant, call, rows, items, limit, offset)

    async def discover(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot = self.policy.snapshot
        credential = checks.authenticate(snapshot, request, call)
        today = clock.today()
        entries = []
        for grant in snapshot.grants_by_application.get(credential.application_id, ()):
            resource = snapshot.resource(str(grant.resource_id))
            if resource is None or resource.mount_for(grant.mode) is None:
                continue
            entries.append(entry(resource, grant, today))
        call.row_count = len(entries)
        return {"application": credential.application_name, "resources": entries}

    async def openapi(self, request: Request, call: Call) -> dict[str, Any]:
        snapshot = self.policy.snapshot
        credential = checks.authenticate(snapshot, request, call)
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


# --- bodies ---------------------------------------------------------------------------------


def rows_payload(
    resource: ResourcePolicy,
    grant: GrantPolicy,
    call: Call,
    rows: list[dict[str, Any]],
    items: list[str],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    delivered = masked_rows(rows, items, grant, call)
    return {
        "resource": resource.code or str(resource.id),
        "items": items,
        "masked": call.masked,
        "row_count": len(delivered),
        "limit": limit,
        "offset": offset,
        "rows": delivered,
    }


def masked_rows(
    rows: list[dict[str, Any]], items: list[str], grant: GrantPolicy, call: Call
) -> list[dict[str, Any]]:
    """Rows holding exactly ``items``, each masked as granted (whatever the source sent)."""
    kinds = {item: grant.items[item] for item in items}
    call.items = list(items)
    call.masked = [item for item, kind in kinds.items() if kind != "none"]
    call.row_count = len(rows)
    return [{item: mask(kinds[item], row.get(item)) for item in items} for row in rows]


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
