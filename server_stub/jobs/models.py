"""One row per pass of a background job: which process ran it, when, whether it ended well."""

from __future__ import annotations

from django.db import models


class Run(models.Model):
    job = models.CharField(max_length=40, db_index=True)
    host = models.CharField(max_length=100)
    pid = models.IntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M:%S} {self.host}:{self.pid}"
