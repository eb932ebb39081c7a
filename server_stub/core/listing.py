"""Abstract models for the short lists the instruments keep (factions, commissions, topics, tags,
groups, datasets): each is listed in the order of one field and shown as another."""

from __future__ import annotations

from django.db import models


class ByName(models.Model):
    """Listed by ``name`` and shown as it."""

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.name)  # type: ignore[attr-defined]


class ShownByTitle(models.Model):
    """Shown as its ``title`` (each subclass says its order)."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.title)  # type: ignore[attr-defined]
