from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "govshare.catalog"
    label = "catalog"
    verbose_name = _("Resource catalog")

    def ready(self) -> None:
        from govshare.catalog import config, permissions  # noqa: F401  (declare, register)
        from govshare.catalog.audit_labels import AUDIT_LABELS
        from govshare.catalog.dashboard import register_navigation
        from govshare.catalog.errors import MESSAGES, CatalogCode
        from govshare.catalog.funding import resources_per_system
        from govshare.catalog.search.index import rebuild_after_migrate
        from govshare.core.errors import register_error_codes
        from govshare.core.evidence.audit import action_labels
        from govshare.inventory.funding import register_resource_counter

        register_navigation()
        register_resource_counter(resources_per_system)
        action_labels.register(AUDIT_LABELS)
        # The search index is filled by today's code once migrate is done, never inside a
        # migration (which sees the models of its point in history): see search.index.
        post_migrate.connect(rebuild_after_migrate, sender=self)
        register_error_codes(CatalogCode, MESSAGES)
