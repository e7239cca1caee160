from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "govshare.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.orgs import permissions  # noqa: F401  (registers policies)
        from govshare.orgs.dashboard import register_navigation
        from govshare.orgs.errors import MESSAGES, OrgCode

        register_navigation()
        register_error_codes(OrgCode, MESSAGES)
