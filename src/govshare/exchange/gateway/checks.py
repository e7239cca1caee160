"""The gateway's checks (网关校验): who calls, on what grant, within which rate, with which
values and items. Each check raises the ``GatewayError`` that answers the call, and notes on the
call what it found (credential, resource, grant), so that a refused call's record names them.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from govshare.exchange.gateway import clock, tokens
from govshare.exchange.gateway.errors import GatewayCode, GatewayError
from govshare.exchange.gateway.params import Params, item_list
from govshare.exchange.gateway.policy import (
    CredentialPolicy,
    GrantPolicy,
    ResourcePolicy,
    Snapshot,
)
from govshare.exchange.gateway.ratelimit import Limiter
from govshare.exchange.gateway.records import Call

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


def authenticate(snapshot: Snapshot, request: Request, call: Call) -> CredentialPolicy:
    """The credential of the call's bearer token, checked like the token's issue was."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise GatewayError(GatewayCode.NOT_AUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
    claims = tokens.parse(token.strip())
    credential = snapshot.credentials.get(claims.credential_id)
    # A rotated secret bumps the generation: every older token stops here.
    if credential is None or credential.generation != claims.generation:
        raise GatewayError(GatewayCode.TOKEN_INVALID, headers={"WWW-Authenticate": "Bearer"})
    call.credential = credential
    check_credential(credential, call)
    return credential


def check_credential(credential: CredentialPolicy, call: Call) -> None:
    if credential.is_revoked:
        raise GatewayError(GatewayCode.CREDENTIAL_REVOKED)
    if not credential.allows_ip(call.client_ip):
        raise GatewayError(GatewayCode.IP_NOT_ALLOWED)


def authorize(
    snapshot: Snapshot, call: Call, credential: CredentialPolicy, ref: str, mode: str
) -> tuple[ResourcePolicy, GrantPolicy]:
    """The resource ``ref`` served in ``mode``, and the credential's grant on it, in force today."""
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


async def limit(limiter: Limiter, grant: GrantPolicy) -> None:
    """One more call on ``grant``: refused past its rate per minute or its daily quota."""
    verdict = await limiter.hit(grant.id, grant.rate_per_minute, grant.daily_quota)
    if verdict.code is not None:
        raise GatewayError(verdict.code, headers={"Retry-After": str(verdict.retry_after)})


def check_granted(names: Any, grant: GrantPolicy) -> None:
    """Values looked up or compared are of granted items only: a match, or the rows a
    lookup returns, would otherwise tell what a non-granted item holds."""
    refused = [name for name in names if name not in grant.items]
    if refused:
        raise GatewayError(GatewayCode.ITEM_NOT_GRANTED, dict.fromkeys(refused[:10], "not_granted"))


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
    check_granted(asked, grant)
    return [item for item in granted if item in asked]
