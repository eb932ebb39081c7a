"""Test residents and OAuth 2.0 clients, codes and tokens of the BankID stand-in."""

from __future__ import annotations

from django.db import models


class TestResident(models.Model):
    subject = models.CharField(max_length=64, unique=True)
    family_name = models.CharField(max_length=100)
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    birthdate = models.DateField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    rnokpp = models.CharField(max_length=10, blank=True)  # the taxpayer number; some people refuse one

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.family_name} {self.given_name} {self.middle_name}".strip()


class OAuthClient(models.Model):
    client_id = models.CharField(max_length=100, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    redirect_uri_prefixes = models.TextField(help_text="one allowed redirect URI prefix per line")

    def __str__(self) -> str:
        return self.client_id


class AuthorizationCode(models.Model):
    code_sha256 = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    resident = models.ForeignKey(TestResident, on_delete=models.CASCADE)
    redirect_uri = models.CharField(max_length=500)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)


class AccessToken(models.Model):
    token_sha256 = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    resident = models.ForeignKey(TestResident, on_delete=models.CASCADE)
    expires_at = models.DateTimeField()
