from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "govshare.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from govshare.core import policies  # noqa: F401  (registers policies)
        from govshare.core.errors import (
            API_ERROR_MESSAGES,
            ERROR_CODE_MESSAGES,
            ApiErrorCode,
            ErrorCode,
            register_error_codes,
        )
        from govshare.core.evidence.append_only import define_sql_functions
        from govshare.core.xlsx.columns import RULE_MESSAGES, RuleCode

        # SQLite connections answer the log tables' DELETE trigger (core/evidence/append_only.py).
        connection_created.connect(define_sql_functions, dispatch_uid="govshare.append_only")
        register_error_codes(ErrorCode, ERROR_CODE_MESSAGES)
        register_error_codes(ApiErrorCode, API_ERROR_MESSAGES)
        register_error_codes(RuleCode, RULE_MESSAGES)
