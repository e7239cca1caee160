from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govshare.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.core.evidence.audit import action_labels
        from govshare.core.web.api import token_checks
        from govshare.identity import permissions  # noqa: F401  (registers policies)
        from govshare.identity.audit_labels import AUDIT_LABELS
        from govshare.identity.errors import MESSAGES, IdentityCode
        from govshare.identity.services import token_authenticate

        token_checks.register(token_authenticate)
        action_labels.register(AUDIT_LABELS)
        register_error_codes(IdentityCode, MESSAGES)
