from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "govshare.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from govshare.catalog.resource_page import resource_page_parts
        from govshare.catalog.withdrawal import GrantHandler, register_grant_handler
        from govshare.core.evidence.audit import action_labels
        from govshare.sharing import config, permissions  # noqa: F401  (declare, register)
        from govshare.sharing.audit_labels import AUDIT_LABELS
        from govshare.sharing.dashboard import register_navigation
        from govshare.sharing.services.grants import live_grants_on, revoke_grants_on
        from govshare.sharing.views.resource_part import RESOURCE_SHARING_PART

        register_grant_handler(GrantHandler(live_grants_on, revoke_grants_on))
        register_navigation()
        resource_page_parts.register(RESOURCE_SHARING_PART)
        action_labels.register(AUDIT_LABELS)
