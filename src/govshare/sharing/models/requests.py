"""Sharing requests (共享申请), their items, events, and the grants (授权) they become."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govshare.catalog.choices import Masking, ShareType
from govshare.core.permissions import RestrictedQuerySet
from govshare.sharing.choices import (
    DeliveryMode,
    ItemDecision,
    Party,
    Purpose,
    RequestState,
)


class ShareRequest(models.Model):
    """A consumer department's request for items of one resource, for one of its applications."""

    number = models.CharField(_("request number"), max_length=20, unique=True)
    consumer = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("consumer department"),
        on_delete=models.PROTECT,
        related_name="share_requests",
    )
    provider = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("provider department"),
        on_delete=models.PROTECT,
        related_name="received_requests",
    )
    application = models.ForeignKey(
        "inventory.InformationSystem",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="share_requests",
    )
    resource = models.ForeignKey(
        "catalog.Resource",
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="share_requests",
    )
    # The version in force when the request was drafted: its items are what was asked for.
    resource_version = models.ForeignKey(
        "catalog.ResourceVersion", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState, default=RequestState.DRAFT
    )
    purpose = models.CharField(_("purpose"), max_length=24, choices=Purpose)
    purpose_detail = models.TextField(_("purpose in detail"))
    basis = models.TextField(_("business matter or legal basis"))
    scenario = models.TextField(_("usage scenario"))
    mode = models.CharField(_("delivery mode"), max_length=8, choices=DeliveryMode)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    expected_daily_calls = models.PositiveIntegerField(_("expected calls per day"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    submitted = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Deadlines on the working-day calendar; ``*_answered`` closes each clock.
    conformity_due = models.DateField(_("conformity review due"), null=True, blank=True)
    conformity_answered = models.DateTimeField(null=True, blank=True)
    provider_due = models.DateField(_("provider answer due"), null=True, blank=True)
    provider_answered = models.DateTimeField(_("provider answered"), null=True, blank=True)
    coordination_due = models.DateField(_("coordination due"), null=True, blank=True)
    coordination_answered = models.DateTimeField(null=True, blank=True)
    # The granted request whose refused items this one negotiates (refused items of a partly
    # granted request are negotiated apart, so that its grant keeps serving meanwhile).
    negotiates_refusals_of = models.ForeignKey(
        "self",
        verbose_name=_("negotiates the refused items of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refusal_negotiations",
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("sharing request")
        verbose_name_plural = _("sharing requests")
        indexes = [
            models.Index(fields=["provider", "state"]),
            models.Index(fields=["consumer", "state"]),
        ]

    def __str__(self) -> str:
        return self.number


class RequestItem(models.Model):
    """One data item asked for, with the provider's decision on it."""

    request = models.ForeignKey(ShareRequest, on_delete=models.CASCADE, related_name="items")
    data_item = models.ForeignKey("catalog.DataItem", on_delete=models.PROTECT, related_name="+")
    identifier = models.CharField(_("identifier"), max_length=64)
    name = models.CharField(_("item name"), max_length=100)
    share_type = models.CharField(_("share type"), max_length=16, choices=ShareType)
    # "decision" alone is the zombie clean-up's (清理决定): this one is the answer on an item.
    decision = models.CharField(
        pgettext_lazy("answer on a requested item", "decision"),
        max_length=10,
        choices=ItemDecision,
        default=ItemDecision.PENDING,
    )
    reason = models.TextField(_("reason"), blank=True)
    masking = models.CharField(_("masking"), max_length=12, choices=Masking, default=Masking.NONE)
    decided_by = models.CharField(_("decided by"), max_length=10, choices=Party, blank=True)

    class Meta:
        ordering = ["data_item__position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "identifier"], name="request_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.identifier}"


class RequestEvent(models.Model):
    """A step of the request's life: who took it, as which party, from which state, and why."""

    request = models.ForeignKey(ShareRequest, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    party = models.CharField(_("party"), max_length=10, choices=Party)
    from_state = models.CharField(max_length=16, choices=RequestState)
    to_state = models.CharField(max_length=16, choices=RequestState)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=150)
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.request} {self.action}"


class Grant(models.Model):
    """What an approved request allows: items, masking, rows, quota and validity (授权).

    Its life (active, suspended, expired, revoked) is the request's state; the gateway compiles
    active grants into its policy (exchange.gateway.policy).
    """

    request = models.OneToOneField(ShareRequest, on_delete=models.PROTECT, related_name="grant")
    application = models.ForeignKey(
        "inventory.InformationSystem", on_delete=models.PROTECT, related_name="grants"
    )
    consumer = models.ForeignKey("orgs.Department", on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey("orgs.Department", on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(
        "catalog.Resource", on_delete=models.PROTECT, related_name="grants"
    )
    mode = models.CharField(_("delivery mode"), max_length=8, choices=DeliveryMode)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    daily_quota = models.PositiveIntegerField(_("daily quota"))
    rate_per_minute = models.PositiveIntegerField(_("calls per minute"))
    # Rows the consumer may see: {item identifier: [allowed values]}; empty means all rows.
    row_filter = models.JSONField(_("row filter"), default=dict, blank=True)
    extension_until = models.DateField(_("extension requested until"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return f"{self.request.number} → {self.application}"

    @property
    def state(self) -> str:
        return self.request.state

    @property
    def is_not_yet_valid(self) -> bool:
        """Active, but its period has not started (未生效): the gateway answers
        ``grant_not_yet_valid`` until ``valid_from``."""
        return self.request.state == RequestState.ACTIVE and self.valid_from > timezone.localdate()


class GrantItem(models.Model):
    """A granted item and the masking the provider requires on it."""

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="items")
    identifier = models.CharField(_("identifier"), max_length=64)
    name = models.CharField(_("item name"), max_length=100)
    masking = models.CharField(_("masking"), max_length=12, choices=Masking, default=Masking.NONE)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "identifier"], name="grant_item_once")
        ]

    def __str__(self) -> str:
        return self.identifier
