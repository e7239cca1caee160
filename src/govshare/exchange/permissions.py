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
    """Objects of one grant (a subscription, its runs): both parties read them;
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


@register(SyncRun)
class SyncRunPolicy(ViaGrantPolicy):
    """A subscription's runs: whoever sees the subscription sees its runs."""

    grant_path = "subscription__grant"

    def grant_of(self, obj: Any) -> Any:
        return obj.subscription.grant


@register(FilePackage)
class FilePackagePolicy:
    """文件包 of a grant: both parties' members see and download them; the data officer of
    either party builds them ("add"); auditors read; admins do everything. A department that is
    neither the grant's consumer nor its provider sees none."""

    readers = (Role.DATA_OFFICER, Role.STAFF)
    builders = (Role.DATA_OFFICER,)

    def _roles(self, action: str) -> tuple[str, ...]:
        if action in ("view", "download"):
            return self.readers
        return self.builders if action in ("add", "change") else ()

    def scope(self, user: Actor, action: str) -> Q | bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.sees_everything):
            return True
        roles = self._roles(action)
        mine = principal.departments(*roles) if roles else set()
        return Q(grant__consumer__in=mine) | Q(grant__provider__in=mine) if mine else False

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
        principal = principal_of(user)
        if principal.is_platform_admin or (action == "view" and principal.sees_everything):
            return True
        roles = self._roles(action)
        if obj is None or not roles:
            return False
        grant = obj.grant
        return principal.has_department_role(
            grant.consumer_id, *roles
        ) or principal.has_department_role(grant.provider_id, *roles)
