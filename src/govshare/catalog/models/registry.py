"""Classification (资源分类, 类/项/目/细目), data elements (数据元) and resource-code counters."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govshare.catalog.choices import DataType
from govshare.core.permissions import RestrictedQuerySet


class Category(models.Model):
    """A node of the classification tree. Codes: 类 1 digit, 项 2, 目 3, 细目 any length."""

    code = models.CharField(_("classification code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def resource_class(self) -> str:
        return self.code[0]


class DataElement(models.Model):
    """A standard data element (数据元) that data items link to."""

    identifier = models.CharField(_("identifier"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"))
    data_type = models.CharField(_("data type"), max_length=1, choices=DataType)
    # GB/T 19488 notation: a..n alphabetic, n numeric, an alphanumeric; "..18" up to 18, "18" fixed.
    format = models.CharField(_("format"), max_length=30)
    value_domain = models.TextField(_("value domain"), blank=True)
    code_table = models.JSONField(_("code table"), default=list, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.name}（{self.identifier}）"


class CodeCounter(models.Model):
    """The last sequence number (后段码) given out under one prefix (前段码)."""

    prefix = models.CharField(max_length=30, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}/{self.last}"
