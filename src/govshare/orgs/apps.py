from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "govshare.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from govshare.core.errors import register_error_codes
        from govshare.core.evidence.audit import action_labels
        from govshare.core.roles import principal_sources
        from govshare.orgs import permissions  # noqa: F401  (registers policies)
        from govshare.orgs.audit_labels import AUDIT_LABELS
        from govshare.orgs.dashboard import register_navigation
        from govshare.orgs.errors import MESSAGES, OrgCode
        from govshare.orgs.roles import principal_from_memberships

        register_navigation()
        principal_sources.register(principal_from_memberships)
        action_labels.register(AUDIT_LABELS)
        register_error_codes(OrgCode, MESSAGES)
