"""Log filter that keeps secrets out of logs (non-negotiable: no secret in a log)."""

from __future__ import annotations

import logging
import re

SECRET_PATTERNS = [
    # Bearer first, so "Authorization: Bearer x" loses the whole credential, not the word Bearer.
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-]+"),
    re.compile(
        r"(?i)(password|passwd|secret|token|authorization|api[_-]?key)(\"?\s*[:=]\s*\"?)([^\s\"',&]+)"
    ),
    re.compile(r"gsr?_[A-Za-z0-9]{8}_[A-Za-z0-9_\-]{20,}"),  # user tokens and system keys
    re.compile(r"gss_[A-Za-z0-9_\-]{20,}"),  # application secrets (sharing credentials)
]


def redact(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        if pattern.groups >= 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
        else:
            text = pattern.sub("***", text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class OneLineClientErrors(logging.Filter):
    """A refused request (4xx) is logged as its one line, without the traceback Django attaches
    to a PermissionDenied: every 403 wrote a whole stack to the server log (issue #12), burying
    the errors that need one. A 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info, record.exc_text = None, None
        return True
