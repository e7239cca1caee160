from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "govshare.catalog"
    label = "catalog"
    verbose_name = _("Resource catalog")

    def ready(self) -> None:
        from govshare.catalog import config, permissions  # noqa: F401  (declare, register)
        from govshare.catalog.dashboard import register_navigation
        from govshare.catalog.errors import MESSAGES, CatalogCode
        from govshare.catalog.funding import resources_per_system
        from govshare.core.errors import register_error_codes
        from govshare.inventory.funding import register_resource_counter

        register_navigation()
        register_resource_counter(resources_per_system)
        register_error_codes(CatalogCode, MESSAGES)
