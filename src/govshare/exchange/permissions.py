"""Who may see and change connections, mount configurations, the delivery log, and the bulk
exchange's destination folders, subscriptions, runs and file packages."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from govshare.core.actors import Actor
from govshare.core.permissions import register
from govshare.core.roles import Role
from govshare.exchange.models import (
    ApiMount,
    Connection,
    DeliveryRecord,
    DropFolder,
    FilePackage,
    FileSet,
    Subscription,
    SyncRun,
    TableMount,
)
from govshare.orgs.permissions import DepartmentScopedPolicy
from govshare.orgs.roles import principal_of
from govshare.sharing.permissions import TwoPartyPolicy


@register(Connection)
class ConnectionPolicy(DepartmentScopedPolicy):
    """A provider's database connections: its data officer manages them; its staff read."""


class MountConfigPolicy(DepartmentScopedPolicy):
    department_field = "mount__resource__provider"

    def department_id_of(self, obj: Any) -> int | None:
        return obj.mount.resource.provider_id


for _model in (TableMount, ApiMount, FileSet):
    register(_model)(MountConfigPolicy)


@register(DeliveryRecord)
class DeliveryRecordPolicy:
    """Auditors and admins read every delivery; a department reads the calls it made and the
    calls made on its data (providers see who used their data and why). Nobody writes."""

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if action != "view":
            return False
        if principal.is_auditor or principal.is_platform_admin:
            return True
        mine = principal.departments(Role.DATA_OFFICER, Role.STAFF)
        return Q(consumer_id__in=mine) | Q(provider_id__in=mine) if mine else False

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if action != "view":
            return False
        if principal.is_auditor or principal.is_platform_admin:
            return True
        return obj is not None and (
            principal.has_department_role(obj.consumer_id, Role.DATA_OFFICER, Role.STAFF)
            or principal.has_department_role(obj.provider_id, Role.DATA_OFFICER, Role.STAFF)
        )


# --- bulk exchange ---------------------------------------------------------------------------


@register(DropFolder)
class DropFolderPolicy(DepartmentScopedPolicy):
    """A consumer's destination folders: its data officer manages them; its staff read."""


class ViaGrantPolicy(TwoPartyPolicy):
    """Objects of one grant (a subscription, its runs, a file package): both parties read them;
    the consumer's data officer configures and starts them ("change"); the provider's data
    officer acts as the grant's owner ("decide"). The grant's own policy decides (one path)."""

    grant_path = "grant"
    provider_hides_drafts = False

    def __init__(self) -> None:
        self.prefix = f"{self.grant_path}__"

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        grant = obj if obj is None else self.grant_of(obj)
        return super().allows(user, action, grant)

    def grant_of(self, obj: Any) -> Any:
        return obj.grant


@register(Subscription)
class SubscriptionPolicy(ViaGrantPolicy):
    """库表订阅: read by both parties; configured and run by the consumer's data officer."""


@register(FilePackage)
class FilePackagePolicy(ViaGrantPolicy):
    """文件包: read by both parties; built by the consumer's data officer."""


@register(SyncRun)
class SyncRunPolicy(ViaGrantPolicy):
    """A subscription's runs: whoever sees the subscription sees its runs."""

    grant_path = "subscription__grant"

    def grant_of(self, obj: Any) -> Any:
        return obj.subscription.grant
