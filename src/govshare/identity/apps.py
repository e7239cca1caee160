from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govshare.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.identity import permissions  # noqa: F401  (registers policies)
        from govshare.identity.errors import MESSAGES, IdentityCode

        register_error_codes(IdentityCode, MESSAGES)
