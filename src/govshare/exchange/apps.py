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
        from govshare.exchange.sync.errors import MESSAGES, SyncError
        from govshare.sharing.indicators import month_figures

        month_figures.register(delivery_indicators)
        action_labels.register(AUDIT_LABELS)
        register_error_codes(SyncError, MESSAGES)
