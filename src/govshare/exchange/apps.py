from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "govshare.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.core.evidence.audit import action_labels
        from govshare.exchange import permissions  # noqa: F401  (register)
        from govshare.exchange.audit_labels import AUDIT_LABELS
        from govshare.exchange.indicators import delivery_indicators
        from govshare.exchange.navigation import register_navigation
        from govshare.exchange.services.subscriptions import grant_listener, table_key_items_of
        from govshare.exchange.sync.errors import MESSAGES, SyncError
        from govshare.exchange.views.subscriptions import grant_links as exchange_grant_links
        from govshare.sharing.bulk import grant_links, grant_listeners, table_key_items
        from govshare.sharing.indicators import month_figures

        month_figures.register(delivery_indicators)
        grant_listeners.register(grant_listener)
        table_key_items.register(table_key_items_of)
        register_navigation()
        grant_links.register(exchange_grant_links)
        action_labels.register(AUDIT_LABELS)
        register_error_codes(SyncError, MESSAGES)
