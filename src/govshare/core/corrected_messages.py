"""Django's own messages whose Chinese we correct (issue #12).

Our catalogue (LOCALE_PATHS) is merged over Django's, so a message of Django's that is listed
here — and so extracted into ours by makemessages — shows our translation instead of Django's.
Django's zh_Hans catalogue ends some sentences with an ASCII full stop ("确认总共不超过 14 个数字.")
and says a NUL character is an empty string ("不允许是用空字符串"). Nothing calls these: the
field validators, formsets and the CSRF failure page of Django use the same msgids.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy, ngettext_lazy

CORRECTED = (
    gettext_lazy("Null characters are not allowed."),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    gettext_lazy("Select a valid choice. That choice is not one of the available choices."),
    gettext_lazy("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_lazy("Please correct the duplicate values below."),
    gettext_lazy("CSRF verification failed. Request aborted."),
)
