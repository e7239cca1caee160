"""Enumerations of the sharing workflow and its state machine, as data.

The request lifecycle follows 国发〔2016〕51号 and the 政务数据共享条例 (2025): a consumer asks for
data items for a stated purpose, the authority checks conformity, the provider answers
conditional items within a deadline, a refusal may be negotiated and then coordinated by the
authority, and an approved request lives on as a grant until it expires or is revoked.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """用途 — why the consumer needs the data."""

    ADMINISTRATIVE_BASIS = "administrative_basis", _("Basis for administration")
    WORK_REFERENCE = "work_reference", _("Work reference")
    DATA_CHECK = "data_check", _("Data checking")
    COLLABORATION = "collaboration", _("Business collaboration")


class DeliveryMode(models.TextChoices):
    """交付方式 — how the granted data reaches the consumer: called through the gateway (query,
    verify, proxy) or delivered in bulk (库表 into the consumer's front-end database, 文件 as
    signed packages)."""

    QUERY = "query", _("Interface query")
    VERIFY = "verify", _("Verification")
    PROXY = "proxy", _("Interface proxy")
    TABLE = "table", _("Table exchange")
    FILE = "file", _("File exchange")


class RequestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Conformity review")
    PROVIDER_REVIEW = "provider_review", _("Provider review")
    REJECTED = "rejected", _("Rejected")
    NEGOTIATION = "negotiation", _("Negotiation")
    COORDINATION = "coordination", _("Coordination by the authority")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    CLOSED = "closed", _("Closed")


class Party(models.TextChoices):
    """Who takes a step: the consuming department, the provider, the authority or the platform."""

    CONSUMER = "consumer", _("Consumer")
    PROVIDER = "provider", _("Provider")
    AUTHORITY = "authority", _("Authority")
    SYSTEM = "system", _("Platform")


class Action(models.TextChoices):
    CREATE = "create", _("Drafted")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted")
    CONFORMITY_PASS = "conformity_pass", _("Passed conformity review")
    CONFORMITY_RETURN = "conformity_return", _("Returned by conformity review")
    CONFORMITY_REJECT = "conformity_reject", _("Rejected by conformity review")
    AUTO_GRANT = "auto_grant", _("Unconditional items granted")
    DECIDE = "decide", _("Answered by the provider")
    NEGOTIATE = "negotiate", _("Negotiation opened")
    AGREE = "agree", _("Agreed in negotiation")
    ESCALATE = "escalate", _("Sent for coordination")
    COORDINATE = "coordinate", _("Decided by coordination")
    CLOSE = "close", _("Closed")
    WITHDRAW = "withdraw", _("Withdrawn by the consumer")
    SUSPEND = "suspend", _("Suspended")
    RESUME = "resume", _("Resumed")
    REVOKE = "revoke", _("Revoked")
    EXPIRE = "expire", _("Expired")
    EXTENSION_ASK = "extension_ask", _("Extension requested")
    EXTENSION_DECIDE = "extension_decide", _("Extension answered")
    GRANT_CHANGE = "grant_change", _("Grant conditions changed")


S = RequestState
A = Action
P = Party

# (state, action) → (next state, party allowed to act). A missing pair is a refused step.
# Decisions whose outcome depends on the items granted (decide, agree, coordinate) name the
# state reached when at least one item is granted; services.requests picks the refusal state.
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (S.DRAFT, A.EDIT): (S.DRAFT, P.CONSUMER),
    (S.DRAFT, A.SUBMIT): (S.SUBMITTED, P.CONSUMER),
    (S.DRAFT, A.WITHDRAW): (S.CLOSED, P.CONSUMER),
    (S.SUBMITTED, A.CONFORMITY_PASS): (S.PROVIDER_REVIEW, P.AUTHORITY),
    (S.SUBMITTED, A.CONFORMITY_RETURN): (S.DRAFT, P.AUTHORITY),
    (S.SUBMITTED, A.CONFORMITY_REJECT): (S.REJECTED, P.AUTHORITY),
    (S.SUBMITTED, A.WITHDRAW): (S.CLOSED, P.CONSUMER),
    (S.PROVIDER_REVIEW, A.AUTO_GRANT): (S.ACTIVE, P.SYSTEM),
    (S.PROVIDER_REVIEW, A.DECIDE): (S.ACTIVE, P.PROVIDER),
    (S.PROVIDER_REVIEW, A.WITHDRAW): (S.CLOSED, P.CONSUMER),
    (S.REJECTED, A.NEGOTIATE): (S.NEGOTIATION, P.CONSUMER),
    (S.REJECTED, A.CLOSE): (S.CLOSED, P.CONSUMER),
    (S.NEGOTIATION, A.AGREE): (S.ACTIVE, P.PROVIDER),
    (S.NEGOTIATION, A.ESCALATE): (S.COORDINATION, P.CONSUMER),
    (S.NEGOTIATION, A.CLOSE): (S.CLOSED, P.CONSUMER),
    (S.COORDINATION, A.COORDINATE): (S.ACTIVE, P.AUTHORITY),
    (S.COORDINATION, A.CLOSE): (S.CLOSED, P.AUTHORITY),
    (S.ACTIVE, A.SUSPEND): (S.SUSPENDED, P.PROVIDER),
    (S.ACTIVE, A.REVOKE): (S.REVOKED, P.PROVIDER),
    (S.ACTIVE, A.EXPIRE): (S.EXPIRED, P.SYSTEM),
    (S.ACTIVE, A.EXTENSION_ASK): (S.ACTIVE, P.CONSUMER),
    (S.ACTIVE, A.EXTENSION_DECIDE): (S.ACTIVE, P.PROVIDER),
    (S.ACTIVE, A.GRANT_CHANGE): (S.ACTIVE, P.PROVIDER),
    (S.SUSPENDED, A.RESUME): (S.ACTIVE, P.PROVIDER),
    (S.SUSPENDED, A.REVOKE): (S.REVOKED, P.PROVIDER),
    (S.SUSPENDED, A.EXPIRE): (S.EXPIRED, P.SYSTEM),
    (S.EXPIRED, A.EXTENSION_ASK): (S.EXPIRED, P.CONSUMER),
    (S.EXPIRED, A.EXTENSION_DECIDE): (S.ACTIVE, P.PROVIDER),
}

# Where a decision that grants nothing leads.
REFUSAL_TARGET: dict[tuple[str, str], str] = {
    (S.PROVIDER_REVIEW, A.DECIDE): S.REJECTED,
    (S.NEGOTIATION, A.AGREE): S.COORDINATION,
    (S.COORDINATION, A.COORDINATE): S.CLOSED,
}

# The provider's clock runs in these states; the authority's in SUBMITTED and COORDINATION.
PROVIDER_CLOCK_STATES = frozenset({S.PROVIDER_REVIEW, S.NEGOTIATION})
AUTHORITY_CLOCK_STATES = frozenset({S.SUBMITTED, S.COORDINATION})
OPEN_STATES = frozenset(
    {S.DRAFT, S.SUBMITTED, S.PROVIDER_REVIEW, S.REJECTED, S.NEGOTIATION, S.COORDINATION}
)
GRANT_STATES = frozenset({S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.REVOKED})


class ItemDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")


class DayKind(models.TextChoices):
    """A calendar exception: a holiday on a weekday, or a weekend day worked (调休)."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Adjusted working day")
