"""Budget lines (revenues by the income classification code, expenses by the programme classification),
plan and execution per fund and year; repairs with their cost and the ProZorro tender id."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BudgetLine(models.Model):
    year = models.PositiveIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=8, choices=[("revenue", _("revenue")), ("expense", _("expense"))])
    fund = models.CharField(_("fund"), max_length=8, choices=[("general", _("general fund")),
                                                              ("special", _("special fund"))])
    code = models.CharField(_("classification code"), max_length=20)
    name = models.CharField(_("name"), max_length=300)
    sector = models.CharField(_("sector"), max_length=100)
    plan = models.DecimalField(_("plan, UAH"), max_digits=16, decimal_places=2)
    executed = models.DecimalField(_("executed, UAH"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["year", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "kind", "fund", "code"], name="budget_line_once")]


class Repair(models.Model):
    title = models.CharField(_("what is repaired"), max_length=300)
    address = models.CharField(_("address"), max_length=300)
    lat = models.FloatField()
    lon = models.FloatField()
    cost = models.DecimalField(_("cost, UAH"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=100)
    prozorro_id = models.CharField(_("ProZorro tender"), max_length=40, blank=True)

    class Meta:
        ordering = ["-cost"]


class Tender(models.Model):
    """A procurement of the city from ProZorro, kept as its newest OCDS release (by ``ocid``)."""

    ocid = models.CharField(max_length=100, unique=True)
    tender_id = models.CharField(_("ProZorro tender"), max_length=40)
    release_id = models.CharField(max_length=200)
    release_date = models.DateTimeField()
    title = models.CharField(_("subject"), max_length=500)
    buyer_id = models.CharField(_("buyer's EDRPOU code"), max_length=40, blank=True)
    buyer_name = models.CharField(_("buyer"), max_length=300)
    status = models.CharField(_("status"), max_length=20)
    method = models.CharField(_("procedure"), max_length=40, blank=True)
    amount = models.DecimalField(_("expected value"), max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, default="UAH")
    cpv = models.CharField(_("CPV code"), max_length=20, blank=True)
    cpv_name = models.CharField(_("CPV name"), max_length=300, blank=True)

    class Meta:
        ordering = ["buyer_name", "-amount"]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.title}"
