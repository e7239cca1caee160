"""Counting failed sign-ins and the locks they lead to (登录失败计数与锁定), issue #11 item 5.

Counting by user name alone made the lock the easiest denial of service: five wrong passwords
from anywhere kept ``admin`` out. Now each failure counts in the scopes of ThrottleScope, each
with its own limit, and a lock only holds its own scope:

- ``pair`` — a user name from one address. The guesser locks himself; the owner elsewhere does not
  notice.
- ``address`` — one address across user names (password spraying). The address is blocked.
- ``account`` — a user name from every address (a distributed guess). The account is not locked:
  an unknown browser then needs a second check beside the password (identity/second_check.py).
- ``browser`` — a user name in a browser that has signed in to it before. Such a browser is
  exempt from the three above (its owner stays able to sign in from his desk, even when his
  address is shared with a guesser), so it counts on its own.

A count forgets its failures after a quiet spell as long as its lock.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govshare.core.evidence import audit
from govshare.core.web.client_ip import parse_ip
from govshare.identity.choices import ThrottleScope
from govshare.identity.models import LoginThrottle

# One host on IPv6 is given a /64 and may pick any address in it: it is counted as one address.
IPV6_HOST_PREFIX = 64


@dataclass(frozen=True)
class ThrottleKey:
    """The row a failure counts in; the fields its scope does not use stay empty."""

    scope: ThrottleScope
    username: str = ""
    address: str = ""
    browser: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "username": self.username[:150],
            "address": self.address,
            "browser": self.browser,
        }


@dataclass(frozen=True)
class Limit:
    failures: int
    minutes: int


def limit_of(scope: ThrottleScope) -> Limit:
    """The scope's failures before its lock, and the lock's length (settings, from env vars)."""
    if scope == ThrottleScope.ADDRESS:
        return Limit(
            settings.GOVSHARE_LOGIN_ADDRESS_MAX_FAILURES,
            settings.GOVSHARE_LOGIN_ADDRESS_BLOCK_MINUTES,
        )
    if scope == ThrottleScope.ACCOUNT:
        return Limit(
            settings.GOVSHARE_LOGIN_ACCOUNT_MAX_FAILURES,
            settings.GOVSHARE_LOGIN_ACCOUNT_CHECK_MINUTES,
        )
    return Limit(settings.GOVSHARE_LOGIN_MAX_FAILURES, settings.GOVSHARE_LOGIN_LOCK_MINUTES)


def address_of(ip: str | None) -> str:
    """The address a throttle counts: IPv4 as it is, IPv6 by its /64; empty when unknown."""
    address = parse_ip(ip or "")
    if address is None:
        return ""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_HOST_PREFIX}", strict=False))
    return str(address)


def parse_throttle_address(text: str) -> str | None:
    """An address as the throttle counts it, from what an administrator typed or was shown: an
    IP address, or an IPv6 /64 network; None when it is neither."""
    if "/" not in text:
        return address_of(text) or None
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None
    if network.version == 6 and network.prefixlen == IPV6_HOST_PREFIX:
        return str(network)
    return None


def locked_until(key: ThrottleKey) -> dt.datetime | None:
    """When the key's lock ends, or None when it is not locked."""
    row = LoginThrottle.objects.filter(**key.fields(), locked_until__gt=timezone.now()).first()
    return row.locked_until if row else None


def count_failure(key: ThrottleKey) -> None:
    """Count one failure; at the scope's limit lock the key for the scope's time, audited."""
    now = timezone.now()
    limit = limit_of(key.scope)
    with transaction.atomic():
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(**key.fields())
        if row.last_failure and row.last_failure < now - dt.timedelta(minutes=limit.minutes):
            row.failures = 0
        row.failures += 1
        row.last_failure = now
        if row.failures >= max(limit.failures, 1):
            # Counting starts again: failures during an account's guard extend it.
            row.locked_until = now + dt.timedelta(minutes=limit.minutes)
            row.failures = 0
            _record_lock(row, limit)
        row.save()


def _record_lock(row: LoginThrottle, limit: Limit) -> None:
    audit.record(
        actor=None,
        action=(
            "identity.login.address_blocked"
            if row.scope == ThrottleScope.ADDRESS
            else "identity.login.guarded"
            if row.scope == ThrottleScope.ACCOUNT
            else "identity.login.locked"
        ),
        object_type=audit.object_type_of(LoginThrottle),
        object_id=str(row.pk or ""),
        object_repr=row.username or row.address,
        after={
            "scope": row.scope,
            "username": row.username,
            "address": row.address,
            "failures": limit.failures,
            "locked_until": row.locked_until,
        },
    )


def clear(key: ThrottleKey) -> None:
    """Forget the key's failures and lock (a success in its scope)."""
    LoginThrottle.objects.filter(**key.fields()).delete()
