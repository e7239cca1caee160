from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "govshare.inventory"
    label = "inventory"
    verbose_name = _("Information systems")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.core.evidence.audit import action_labels
        from govshare.inventory import config, permissions  # noqa: F401  (declare, register)
        from govshare.inventory.audit_labels import AUDIT_LABELS
        from govshare.inventory.dashboard import register_navigation
        from govshare.inventory.errors import CONFLICTS, MESSAGES, InventoryCode

        register_navigation()
        action_labels.register(AUDIT_LABELS)
        register_error_codes(InventoryCode, MESSAGES, conflicts=CONFLICTS)
