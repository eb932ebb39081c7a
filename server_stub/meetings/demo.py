"""Demo: test signing keys for the demo deputies (seed = "demo-deputy-<pk>" padded), one planned meeting."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone

from server_stub.council.models import Commission, Deputy

from .models import AgendaItem, Meeting, SignerKey
from .signers import Ed25519TestSigner


def demo_signer(deputy_id: int) -> Ed25519TestSigner:
    return Ed25519TestSigner(f"demo-deputy-{deputy_id}".encode().ljust(32, b"."))


def load_demo() -> None:
    for d in Deputy.objects.filter(signer_key=None):
        SignerKey.objects.create(deputy=d, public_key=demo_signer(d.pk).public_key)
    c = Commission.objects.filter(name__contains="бюджету").first()
    if c is None or Meeting.objects.exists():
        return
    m = Meeting.objects.create(commission=c, title="Засідання № 14", starts_at=timezone.now() + timedelta(days=1),
                               video_url="https://meet.example.org/budget-14", nonce=secrets.token_hex(16))
    for i, t in enumerate(["Про перерозподіл видатків на ремонт шкіл", "Про бюджет участі 2027"], start=1):
        AgendaItem.objects.create(meeting=m, position=i, title=t)
