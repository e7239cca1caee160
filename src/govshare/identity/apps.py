from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "govshare.identity"
    label = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from govshare.identity import permissions  # noqa: F401  (registers policies)
