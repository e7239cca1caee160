"""What the bulk delivery modes (库表交换, 文件交换) need from sharing, and what sharing needs back.

Sharing sits below the exchange (DESIGN.md, Layers): it cannot name the exchange's mounts or its
subscriptions. The exchange fills three registries in its ``AppConfig.ready()``:

- ``grant_listeners``: told, inside the sharing step's transaction, whenever a grant is created
  or its state moves (active, suspended, revoked, expired), so that a 库表 grant's subscription
  is created, stopped or resumed with it;
- ``grant_links``: links from a grant's page to its subscription or packages;
- ``table_key_items``: the key items of a resource's mounted table, which a table exchange needs
  granted and unmasked (they become the destination's primary key).

Which modes a resource offers is read from the catalog's mount slots, which sharing may import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from govshare.catalog.choices import MountKind, MountStatus
from govshare.catalog.models import Mount, Resource
from govshare.core.actors import Actor
from govshare.core.registry import Registry
from govshare.sharing.choices import DeliveryMode

GrantListener = Callable[[Any], None]
grant_listeners: Registry[GrantListener] = Registry("grant listeners")

# (label, url) links a grant's page shows to where its bulk deliveries are (the subscription of
# a 库表 grant, the packages of a 文件 grant); the exchange fills it.
GrantLinks = Callable[[Any, Any], Sequence[tuple[Any, str]]]
grant_links: Registry[GrantLinks] = Registry("links of a grant's page")

TableKeyItems = Callable[[Resource], Sequence[str]]
table_key_items: Registry[TableKeyItems] = Registry("key items of a table exchange")

# Gateway modes need no particular slot here: the gateway answers what its mounts serve.
GATEWAY_MODES = (DeliveryMode.QUERY, DeliveryMode.VERIFY, DeliveryMode.PROXY)
BULK_MODES = frozenset({DeliveryMode.TABLE, DeliveryMode.FILE})
# The mounted slots each bulk mode can be delivered from.
BULK_SLOTS: dict[str, frozenset[str]] = {
    DeliveryMode.TABLE: frozenset({MountKind.TABLE}),
    DeliveryMode.FILE: frozenset({MountKind.TABLE, MountKind.FILES}),
}


def grant_changed(grant: Any) -> None:
    """Tell every listener that ``grant`` was created or changed state."""
    for listener in grant_listeners:
        listener(grant)


def delivery_links(grant: Any, user: Actor) -> list[tuple[Any, str]]:
    """The links to ``grant``'s bulk deliveries that ``user`` may follow."""
    return [link for source in grant_links for link in source(grant, user)]


def key_items_of(resource: Resource) -> list[str]:
    """The key items a table exchange of ``resource`` needs (empty when nobody registered)."""
    keys: list[str] = []
    for source in table_key_items:
        keys += [key for key in source(resource) if key not in keys]
    return keys


def available_modes(resource: Resource) -> list[str]:
    """The delivery modes a request on ``resource`` may ask for: the gateway's three, 库表 where
    a table is mounted, 文件 where a table or a file set is."""
    mounted = set(
        Mount.objects.filter(resource=resource, status=MountStatus.MOUNTED).values_list(
            "kind", flat=True
        )
    )
    bulk = [mode for mode, slots in BULK_SLOTS.items() if slots & mounted]
    return [*GATEWAY_MODES, *bulk]
