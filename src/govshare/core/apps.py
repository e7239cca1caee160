from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "govshare.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from govshare.core import policies  # noqa: F401  (registers policies)
