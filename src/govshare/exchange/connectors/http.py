"""Upstream-API connector (接口挂接): calls a provider's HTTP interface with its credentials.

The caller's parameters are passed on only through the mount's ``key_params`` mapping and the
answer is reduced to the mapped ``fields``, so neither side sees more than the mount allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils.translation import gettext as _

from govshare.core.crypto import sm4_decrypt
from govshare.exchange.connectors.base import (
    BadParameter,
    NotConfigured,
    UpstreamFailure,
    UpstreamTimeout,
)
from govshare.exchange.models import ApiMount, HttpMethod
from govshare.inventory.health import refused_address

ALLOWED_SCHEMES = frozenset({"http", "https"})


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        raise NotConfigured(_("The upstream address must be an http or https URL."))
    # Like health probes: never cloud metadata (169.254.169.254), multicast or 0.0.0.0.
    if refused_address(parts.hostname, parts.port) is not None:
        raise NotConfigured(
            _("The upstream address may not be link-local, multicast or unspecified.")
        )


def walk(node: Any, path: str) -> Any:
    """Follow a dotted path (``data.records``, ``items.0``) through a JSON value."""
    for part in [p for p in path.split(".") if p]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


class HttpConnector:
    """One API mount; its ``httpx.Client`` is kept for connection reuse (close() ends it)."""

    def __init__(
        self,
        *,
        base_url: str,
        method: str = HttpMethod.GET,
        headers: Mapping[str, str] | None = None,
        timeout_s: float = 5.0,
        key_params: Mapping[str, str],
        records_path: str = "",
        fields: Mapping[str, str],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        check_url(base_url)
        self.base_url, self.method = base_url, method
        self.key_params, self.fields = dict(key_params), dict(fields)
        self.records_path = records_path
        # trust_env=False: data is sent only to the configured upstream, never through a proxy
        # picked up from the process environment.
        self.client = httpx.Client(
            headers=dict(headers or {}),
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )

    @classmethod
    def from_config(cls, config: ApiMount) -> HttpConnector:
        headers = {}
        if config.auth_header and config.auth_value_encrypted:
            headers[config.auth_header] = sm4_decrypt(config.auth_value_encrypted)
        return cls(
            base_url=config.base_url,
            method=config.method,
            headers=headers,
            timeout_s=config.timeout_ms / 1000,
            key_params=config.key_params,
            records_path=config.records_path,
            fields=config.fields,
        )

    def close(self) -> None:
        self.client.close()

    def proxy(self, params: dict[str, str], items: list[str]) -> list[dict[str, Any]]:
        self._check(items, self.fields, _("This mount does not serve %(items)s."))
        self._check(list(params), self.key_params, _("%(items)s cannot be passed upstream."))
        records = self._records({self.key_params[item]: value for item, value in params.items()})
        return [{item: walk(record, self.fields[item]) for item in items} for record in records]

    def query(
        self,
        keys: dict[str, list[str]],
        items: list[str],
        row_filter: dict[str, list[str]],
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        if any(len(values) != 1 for values in keys.values()):
            raise BadParameter(_("An upstream interface takes one value per parameter."))
        needed = list(dict.fromkeys([*items, *row_filter]))
        records = self.proxy({item: values[0] for item, values in keys.items()}, needed)
        allowed = {item: {str(v) for v in values} for item, values in row_filter.items()}
        kept = [r for r in records if all(str(r[i]) in ok for i, ok in allowed.items())]
        return [{item: record[item] for item in items} for record in kept[offset : offset + limit]]

    def verify(
        self,
        values: dict[str, str],
        key_items: list[str],
        row_filter: dict[str, list[str]] | None = None,
    ) -> dict[str, bool] | None:
        params = {item: values[item] for item in key_items if item in values}
        if not params:
            raise BadParameter(_("Give a value for at least one key item."))
        limits = row_filter or {}
        fetched = self.proxy(params, list(dict.fromkeys([*values, *limits])))
        records = [
            record
            for record in fetched
            if all(str(record.get(item)) in allowed for item, allowed in limits.items())
        ]
        if not records:
            return None
        record = records[0]
        return {
            item: record[item] is not None and str(record[item]) == submitted
            for item, submitted in values.items()
        }

    def _check(self, names: list[str], allowed: Mapping[str, str], message: str) -> None:
        unknown = sorted(name for name in names if name not in allowed)
        if unknown:
            raise BadParameter(message % {"items": ", ".join(unknown)})

    def _records(self, params: dict[str, str]) -> list[dict[str, Any]]:
        try:
            if self.method == HttpMethod.POST:
                response = self.client.post(self.base_url, json=params)
            else:
                response = self.client.get(self.base_url, params=params)
        except httpx.TimeoutException:
            raise UpstreamTimeout(_("The upstream interface did not answer in time.")) from None
        except httpx.HTTPError as error:
            raise UpstreamFailure(
                _("The upstream interface could not be reached: %(reason)s")
                % {"reason": type(error).__name__}
            ) from None
        if not response.is_success:
            raise UpstreamFailure(
                _("The upstream interface answered HTTP %(status)s.")
                % {"status": response.status_code}
            )
        try:
            body = response.json()
        except ValueError:
            raise UpstreamFailure(_("The upstream interface did not answer JSON.")) from None
        return _as_records(walk(body, self.records_path))


def _as_records(node: Any) -> list[dict[str, Any]]:
    if node is None:
        return []
    if isinstance(node, dict):
        return [node]
    if isinstance(node, list) and all(isinstance(record, dict) for record in node):
        return node
    raise UpstreamFailure(_("The records path does not lead to records."))
