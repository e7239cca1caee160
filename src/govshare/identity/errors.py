"""The identity package's error codes (CONVENTIONS rule 7), each with the rule it names in
words. Registered with core.errors when the identity app is ready."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class IdentityCode(StrEnum):
    PASSWORD_POLICY = "password_policy"
    # Why a sign-in was refused; a lock (this user name from this address, or in this browser)
    # is core's ErrorCode.LOCKED.
    INVALID_LOGIN = "invalid_login"
    ADDRESS_BLOCKED = "address_blocked"
    SECOND_CHECK = "second_check"  # the account asks for a second check this browser cannot give
    CODE_INVALID = "code_invalid"


MESSAGES: dict[str, str | Promise] = {
    IdentityCode.PASSWORD_POLICY: gettext_lazy("A password the password rules accept"),
    IdentityCode.INVALID_LOGIN: gettext_lazy("The right user name and password"),
    IdentityCode.ADDRESS_BLOCKED: gettext_lazy("An address not blocked for failed sign-ins"),
    IdentityCode.SECOND_CHECK: gettext_lazy("A browser that can give the second check"),
    IdentityCode.CODE_INVALID: gettext_lazy("The code sent for the second check"),
}
