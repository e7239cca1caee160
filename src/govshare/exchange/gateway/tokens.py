"""Stateless bearer tokens of the gateway (访问令牌).

A token reads ``v1.<credential>.<generation>.<expiry>.<mac>``.

The MAC is HMAC-SM3 under a key derived from SECRET_KEY, so any gateway process checks a token
without a database round trip. A token dies by expiry, by the credential's revocation, or by a
rotation (the generation in the token no longer matches the credential's); the last two are seen
through the compiled policy, which every process refreshes within a second of a change.
"""

from __future__ import annotations

import base64
import hmac
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from govshare.exchange.gateway.errors import GatewayCode, GatewayError

VERSION = "v1"
# Tokens already checked, by (signing secret, token): a client sends the same token on every call
# until it expires, and its MAC need not be recomputed each time. Bounded; expiry is still
# checked on every call.
VERIFIED_CACHE_SIZE = 10_000
TOKEN_PATTERN = re.compile(r"v1\.(\d{1,18})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{43})")


@dataclass(frozen=True)
class TokenClaims:
    credential_id: int
    generation: int
    expires: int  # Unix time


@lru_cache(maxsize=4)
def _signing_key(secret_key: str) -> bytes:
    # A key of its own for tokens, so nothing else signed with SECRET_KEY can pass as one.
    return hmac.new(secret_key.encode(), b"govshare.gateway.token.v1", "sm3").digest()


def _mac(payload: str) -> str:
    digest = hmac.new(_signing_key(settings.SECRET_KEY), payload.encode(), "sm3").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(
    credential_id: int, generation: int, lifetime_seconds: int, now: float | None = None
) -> str:
    expires = int((time.time() if now is None else now) + lifetime_seconds)
    payload = f"{VERSION}.{credential_id}.{generation}.{expires}"
    return f"{payload}.{_mac(payload)}"


_verified: dict[tuple[str, str], TokenClaims] = {}


def parse(token: str, now: float | None = None) -> TokenClaims:
    """The claims of a well-formed, authentic, unexpired token; GatewayError (401) otherwise."""
    cache_key = (settings.SECRET_KEY, token)
    claims = _verified.get(cache_key)
    if claims is None:
        claims = _authentic_claims(token)
        if len(_verified) >= VERIFIED_CACHE_SIZE:
            _verified.clear()
        _verified[cache_key] = claims
    if claims.expires <= (time.time() if now is None else now):
        raise GatewayError(GatewayCode.TOKEN_EXPIRED)
    return claims


def _authentic_claims(token: str) -> TokenClaims:
    match = TOKEN_PATTERN.fullmatch(token)
    if match is None:
        raise GatewayError(GatewayCode.TOKEN_INVALID)
    payload = token.rsplit(".", 1)[0]
    if not hmac.compare_digest(_mac(payload), match.group(4)):
        raise GatewayError(GatewayCode.TOKEN_INVALID)
    return TokenClaims(int(match.group(1)), int(match.group(2)), int(match.group(3)))
