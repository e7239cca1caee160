from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "govshare.sharing"
    label = "sharing"
    verbose_name = _("Data sharing")

    def ready(self) -> None:
        from govshare.catalog.withdrawal import GrantHandler, register_grant_handler
        from govshare.sharing import config, permissions  # noqa: F401  (declare, register)
        from govshare.sharing.dashboard import register_navigation
        from govshare.sharing.services.grants import live_grants_on, revoke_grants_on

        register_grant_handler(GrantHandler(live_grants_on, revoke_grants_on))
        register_navigation()
