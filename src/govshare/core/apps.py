from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "govshare.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from govshare.core import policies  # noqa: F401  (registers policies)
        from govshare.core.append_only import define_sql_functions

        # SQLite connections answer the log tables' DELETE trigger (core/append_only.py).
        connection_created.connect(define_sql_functions, dispatch_uid="govshare.append_only")
