"""Application credentials (应用凭证): app key and secret for the gateway's token endpoint.

The secret is shown once and stored as its SM3 hash; rotating it bumps the generation so every
token issued under the old secret stops working; revoking ends the credential. Each write
refreshes the gateway's compiled policy.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core import stamps
from govshare.core.actors import Actor, person_of
from govshare.core.crypto import sm3_hex
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.sharing.models import AppCredential

GATEWAY = "gateway"
MAX_ALLOWLIST_ENTRIES = 50


@dataclass(frozen=True)
class IssuedCredential:
    credential: AppCredential
    secret: str  # shown once, never stored


def credential_create(
    *, actor: Actor, application: Any, name: str, ip_allowlist: str = ""
) -> IssuedCredential:
    """Issue a key and secret for an application of the actor's department."""
    credential = AppCredential(
        application=application,
        department_id=application.department_id,
        name=name.strip(),
        created_by=person_of(actor),
    )
    require(actor, "add", credential)
    require(actor, "change", credential)
    errors = ErrorCollector()
    if not credential.name:
        errors.add("name", _("This field is required."), ErrorCode.REQUIRED)
    elif len(credential.name) > 64:
        errors.add("name", _("At most 64 characters."), ErrorCode.INVALID)
    if application.lifecycle not in LIVE_LIFECYCLES:
        errors.add("application", _("The application is no longer in use."), ErrorCode.CONFLICT)
    allowlist = errors.check(clean_allowlist, ip_allowlist)
    errors.raise_if_any()
    credential.ip_allowlist = str(allowlist)
    secret = _new_secret()
    credential.app_key = f"gsa{secrets.token_hex(8)}"
    credential.secret_hash = sm3_hex(secret)
    with transaction.atomic():
        credential.save()
        audit.record(
            actor=actor,
            action="sharing.credential.create",
            obj=credential,
            department_id=credential.department_id,
            after={"app_key": credential.app_key, "ip_allowlist": credential.ip_allowlist},
        )
        stamps.bump(GATEWAY)
    return IssuedCredential(credential, secret)


def credential_rotate(*, actor: Actor, credential: AppCredential) -> IssuedCredential:
    """A new secret; tokens issued under the old one stop working."""
    require(actor, "change", credential)
    _check_live(credential)
    secret = _new_secret()
    with transaction.atomic():
        credential.secret_hash = sm3_hex(secret)
        credential.generation += 1
        credential.rotated = timezone.now()
        credential.save(update_fields=["secret_hash", "generation", "rotated"])
        audit.record(
            actor=actor,
            action="sharing.credential.rotate",
            obj=credential,
            department_id=credential.department_id,
            after={"generation": credential.generation},
        )
        stamps.bump(GATEWAY)
    return IssuedCredential(credential, secret)


def credential_set_allowlist(
    *, actor: Actor, credential: AppCredential, ip_allowlist: str
) -> AppCredential:
    require(actor, "change", credential)
    _check_live(credential)
    before = credential.ip_allowlist
    credential.ip_allowlist = clean_allowlist(ip_allowlist)
    with transaction.atomic():
        credential.save(update_fields=["ip_allowlist"])
        audit.record(
            actor=actor,
            action="sharing.credential.allowlist",
            obj=credential,
            department_id=credential.department_id,
            before={"ip_allowlist": before},
            after={"ip_allowlist": credential.ip_allowlist},
        )
        stamps.bump(GATEWAY)
    return credential


def credential_revoke(*, actor: Actor, credential: AppCredential) -> AppCredential:
    require(actor, "change", credential)
    _check_live(credential)
    with transaction.atomic():
        credential.revoked = timezone.now()
        credential.save(update_fields=["revoked"])
        audit.record(
            actor=actor,
            action="sharing.credential.revoke",
            obj=credential,
            department_id=credential.department_id,
        )
        stamps.bump(GATEWAY)
    return credential


@internal("the allow-list's rules, checked by credential services that authorize")
def clean_allowlist(text: str) -> str:
    """One IPv4/IPv6 address or CIDR block per line (commas also separate); normalised."""
    entries = [part.strip() for line in text.splitlines() for part in line.split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) > MAX_ALLOWLIST_ENTRIES:
        raise field_error(
            "ip_allowlist",
            _("At most %(n)d addresses or blocks.") % {"n": MAX_ALLOWLIST_ENTRIES},
            ErrorCode.INVALID,
        )
    cleaned, bad = [], []
    for entry in entries:
        try:
            cleaned.append(str(ipaddress.ip_network(entry, strict=False)))
        except ValueError:
            bad.append(entry[:60])
    if bad:  # every bad entry at once, not the first of them
        raise field_error(
            "ip_allowlist",
            _("Not IP addresses or CIDR blocks: %(entries)s.") % {"entries": ", ".join(bad)},
            ErrorCode.INVALID,
        )
    return "\n".join(cleaned)


def _check_live(credential: AppCredential) -> None:
    if credential.revoked is not None:
        raise field_error("credential", _("The credential is revoked."), ErrorCode.CONFLICT)


def _new_secret() -> str:
    return f"gss_{secrets.token_urlsafe(32)}"
