"""The gateway's compiled policy (授权策略快照): credentials, grants and resources in memory.

A call is checked against an immutable snapshot, never against the database. Every process
polls the ``gateway`` change stamp at most once a second and recompiles when it moved (whoever
changes grants, credentials or mounts bumps it), and recompiles at least every minute anyway so
time-based changes and parameters are picked up. Dates of validity are checked per call.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db import connections

from govshare.catalog.choices import MountKind, MountStatus, ResourceStatus
from govshare.catalog.models import DataItem, Mount
from govshare.core import stamps
from govshare.core.config import param
from govshare.exchange.gateway.errors import GatewayCode
from govshare.sharing.choices import GRANT_STATES, RequestState
from govshare.sharing.models import AppCredential, Grant

logger = logging.getLogger("govshare.gateway")

STAMP_NAME = "gateway"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class CredentialPolicy:
    id: int
    app_key: str
    secret_hash: str
    application_id: int
    application_name: str
    department_id: int
    department_name: str
    generation: int
    is_revoked: bool
    # None: any address may call (an empty allow-list).
    networks: tuple[Network, ...] | None

    def allows_ip(self, ip: str) -> bool:
        if self.networks is None:
            return True
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


@dataclass(frozen=True)
class ItemInfo:
    identifier: str
    name: str
    data_type: str
    length: int | None
    description: str


@dataclass(frozen=True)
class ResourcePolicy:
    id: int
    code: str
    name: str
    provider_id: int
    provider_name: str
    items: Mapping[str, ItemInfo]
    table_mount: Any = None  # catalog.Mount with table_config__connection, or None
    api_mount: Any = None  # catalog.Mount with api_config, or None
    key_items: tuple[str, ...] = ()  # what a table mount looks rows up by
    api_params: tuple[str, ...] = ()  # what an API mount passes on upstream
    table_items: frozenset[str] = frozenset()  # items the table mount maps to columns
    api_items: frozenset[str] = frozenset()  # items the API mount maps to response fields

    def mount_for(self, mode: str) -> Any:
        """Table first for query and verify; proxy goes to the upstream API only. Grants of the
        bulk modes (库表, 文件) are delivered by syncs and packages, never by gateway calls."""
        if mode not in GATEWAY_CALL_MODES:
            return None
        if mode == "proxy":
            return self.api_mount
        return self.table_mount or self.api_mount

    def keys_for(self, mode: str) -> tuple[str, ...]:
        mount = self.mount_for(mode)
        if mount is None:
            return ()
        return self.key_items if mount is self.table_mount else self.api_params

    def served_items(self, mode: str) -> list[str]:
        """The resource's items the mount of ``mode`` can deliver, in catalog order."""
        mount = self.mount_for(mode)
        served = self.table_items if mount is self.table_mount else self.api_items
        return [item for item in self.items if item in served]


# The modes a gateway call is made in; the others (table, file) have no gateway mount.
GATEWAY_CALL_MODES = frozenset({"query", "verify", "proxy"})

STATE_PROBLEMS: dict[str, GatewayCode] = {
    RequestState.SUSPENDED: GatewayCode.GRANT_SUSPENDED,
    RequestState.EXPIRED: GatewayCode.GRANT_EXPIRED,
    RequestState.REVOKED: GatewayCode.GRANT_REVOKED,
}


@dataclass(frozen=True)
class GrantPolicy:
    id: int
    application_id: int
    resource_id: int
    state: str
    mode: str
    items: Mapping[str, str]  # granted item → masking kind
    row_filter: Mapping[str, tuple[str, ...]]
    daily_quota: int
    rate_per_minute: int
    valid_from: dt.date
    valid_until: dt.date
    request_number: str
    purpose: str
    consumer_id: int
    consumer_name: str
    provider_id: int
    provider_name: str

    def problem(self, today: dt.date) -> GatewayCode | None:
        """Why the grant cannot be used today, or None."""
        if self.state != RequestState.ACTIVE:
            return STATE_PROBLEMS.get(self.state, GatewayCode.NO_GRANT)
        if today < self.valid_from:
            return GatewayCode.GRANT_NOT_YET_VALID
        if today > self.valid_until:
            return GatewayCode.GRANT_EXPIRED
        return None


@dataclass(frozen=True)
class Snapshot:
    stamp: int
    compiled_at: float  # time.monotonic()
    token_seconds: int
    credentials: Mapping[int, CredentialPolicy]
    credentials_by_key: Mapping[str, CredentialPolicy]
    grants: Mapping[tuple[int, int], tuple[GrantPolicy, ...]]
    resources: Mapping[str, ResourcePolicy]  # by str(id) and by code
    grants_by_application: Mapping[int, tuple[GrantPolicy, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def resource(self, ref: str) -> ResourcePolicy | None:
        return self.resources.get(ref)

    def grant_for(
        self, application_id: int, resource_id: int, mode: str, today: dt.date
    ) -> GrantPolicy | None:
        """The usable grant of this mode, else the most telling unusable one, else None."""
        candidates = self.grants.get((application_id, resource_id), ())
        of_mode = [grant for grant in candidates if grant.mode == mode]
        usable = [grant for grant in of_mode if grant.problem(today) is None]
        if usable:
            return usable[0]
        return of_mode[0] if of_mode else None

    def has_any_grant(self, application_id: int, resource_id: int) -> bool:
        return bool(self.grants.get((application_id, resource_id)))


# --- compiling ----------------------------------------------------------------------------


def parse_allowlist(text: str) -> tuple[Network, ...] | None:
    networks: list[Network] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            # A bad line must not widen access: it is skipped (and allows nothing).
            logger.warning("gateway: ignored an invalid allow-list entry %r", line)
            networks.append(ipaddress.ip_network("0.0.0.0/32"))
    return tuple(networks) if networks else None


def _credentials() -> dict[int, CredentialPolicy]:
    rows = AppCredential.objects.select_related("application", "department").order_by("pk")
    return {
        row.pk: CredentialPolicy(
            id=row.pk,
            app_key=row.app_key,
            secret_hash=row.secret_hash,
            application_id=row.application_id,
            application_name=row.application.name,
            department_id=row.department_id,
            department_name=row.department.name,
            generation=row.generation,
            is_revoked=row.revoked is not None,
            networks=parse_allowlist(row.ip_allowlist),
        )
        for row in rows
    }


def _resources() -> dict[str, ResourcePolicy]:
    mounts = (
        Mount.objects.filter(
            status=MountStatus.MOUNTED,
            kind__in=[MountKind.TABLE, MountKind.API],
            # A withdrawn resource still serves the grants its provider chose to keep until
            # they expire (catalog.withdrawal); nothing new can be requested on it.
            resource__status__in=[ResourceStatus.PUBLISHED, ResourceStatus.WITHDRAWN],
        )
        .select_related(
            "resource__provider", "resource__current_version", "table_config__connection"
        )
        .select_related("api_config")
    )
    by_resource: dict[int, dict[str, Any]] = {}
    for mount in mounts:
        by_resource.setdefault(mount.resource_id, {"resource": mount.resource})[mount.kind] = mount
    version_ids = [e["resource"].current_version_id for e in by_resource.values()]
    items: dict[int, dict[str, ItemInfo]] = {}
    for item in DataItem.objects.filter(version_id__in=version_ids).order_by("position"):
        items.setdefault(item.version_id, {})[item.identifier] = ItemInfo(  # type: ignore[attr-defined]
            item.identifier, item.name, item.data_type, item.length, item.description
        )
    compiled: dict[str, ResourcePolicy] = {}
    for entry in by_resource.values():
        policy = _resource_policy(entry, items)
        if policy is not None:
            compiled[str(policy.id)] = policy
            if policy.code:
                compiled[policy.code] = policy
    return compiled


def _resource_policy(
    entry: dict[str, Any], items: dict[int, dict[str, ItemInfo]]
) -> ResourcePolicy | None:
    resource = entry["resource"]
    table = entry.get(MountKind.TABLE)
    api = entry.get(MountKind.API)
    table_config = getattr(table, "table_config", None) if table else None
    api_config = getattr(api, "api_config", None) if api else None
    if table_config is None and api_config is None:
        return None
    return ResourcePolicy(
        id=resource.pk,
        code=resource.code or "",
        name=resource.name,
        provider_id=resource.provider_id,
        provider_name=resource.provider.name,
        items=MappingProxyType(items.get(resource.current_version_id, {})),
        table_mount=table if table_config else None,
        api_mount=api if api_config else None,
        key_items=tuple(table_config.key_items) if table_config else (),
        api_params=tuple(api_config.key_params) if api_config else (),
        table_items=frozenset(table_config.columns) if table_config else frozenset(),
        api_items=frozenset(api_config.fields) if api_config else frozenset(),
    )


def _grants() -> list[GrantPolicy]:
    rows = (
        Grant.objects.filter(request__state__in=GRANT_STATES)
        .select_related("request", "consumer", "provider")
        .prefetch_related("items")
        .order_by("-created", "-pk")
    )
    return [
        GrantPolicy(
            id=row.pk,
            application_id=row.application_id,
            resource_id=row.resource_id,
            state=row.request.state,
            mode=row.mode,
            items=MappingProxyType({item.identifier: item.masking for item in row.items.all()}),
            row_filter=MappingProxyType(
                {key: tuple(_as_list(values)) for key, values in (row.row_filter or {}).items()}
            ),
            daily_quota=row.daily_quota,
            rate_per_minute=row.rate_per_minute,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
            request_number=row.request.number,
            purpose=row.request.purpose,
            consumer_id=row.consumer_id,
            consumer_name=row.consumer.name,
            provider_id=row.provider_id,
            provider_name=row.provider.name,
        )
        for row in rows
    ]


def _as_list(values: Any) -> list[str]:
    if isinstance(values, list | tuple):
        return [str(value) for value in values]
    return [str(values)]


def compile_snapshot() -> Snapshot:
    """Read everything a call is checked against (a handful of queries)."""
    stamp = stamps.current(STAMP_NAME)  # first: a change after this is seen by the next poll
    credentials = _credentials()
    grants: dict[tuple[int, int], list[GrantPolicy]] = {}
    by_application: dict[int, list[GrantPolicy]] = {}
    # Active grants first, so the discovery list and grant_for find the usable one first.
    for grant in sorted(_grants(), key=lambda g: g.state != "active"):
        grants.setdefault((grant.application_id, grant.resource_id), []).append(grant)
        by_application.setdefault(grant.application_id, []).append(grant)
    return Snapshot(
        stamp=stamp,
        compiled_at=time.monotonic(),
        token_seconds=int(param("sharing.token_minutes")) * 60,
        credentials=MappingProxyType(credentials),
        credentials_by_key=MappingProxyType({c.app_key: c for c in credentials.values()}),
        grants=MappingProxyType({key: tuple(value) for key, value in grants.items()}),
        resources=MappingProxyType(_resources()),
        grants_by_application=MappingProxyType(
            {key: tuple(value) for key, value in by_application.items()}
        ),
    )


# --- keeping it fresh ---------------------------------------------------------------------


class PolicyStore:
    """Holds the current snapshot; a daemon thread keeps it fresh (started by the app)."""

    def __init__(self, poll_seconds: float = 1.0, max_age_seconds: float = 60.0) -> None:
        self.poll_seconds = poll_seconds
        self.max_age_seconds = max_age_seconds
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise RuntimeError("the gateway policy is not loaded")
        return snapshot

    def load(self) -> Snapshot:
        """Compile now (blocking)."""
        with self._lock:
            self._snapshot = compile_snapshot()
            return self._snapshot

    def refresh_if_changed(self) -> bool:
        """(Blocking.) Recompile when the stamp moved or the snapshot is too old."""
        current = self._snapshot
        age = time.monotonic() - current.compiled_at if current else float("inf")
        if current is not None and age < self.max_age_seconds:
            if stamps.current(STAMP_NAME) == current.stamp:
                return False
        self.load()
        return True

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gateway-policy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh_if_changed()
            except Exception:
                # Keep serving the last snapshot; the delivery log fails closed if the
                # database is really gone.
                logger.exception("gateway: policy refresh failed")
                connections.close_all()  # this thread's: a fresh one on the next poll
        connections.close_all()
