"""Test residents and the city server's own OAuth client."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings

from .models import OAuthClient, TestResident

# RNOKPP with a valid check digit for the birth date; test-0003 has refused one (ID card only)
RESIDENTS = [
    ("test-0001", "Шевченко", "Олена", "Петрівна", date(1961, 3, 9), "м. Дніпро, вул. Яворницького, 1",
     "2234812341", "МЕ123456"),
    ("test-0002", "Бондаренко", "Іван", "Миколайович", date(1985, 7, 21), "м. Дніпро, просп. Поля, 10",
     "3124845676", "004512345"),
    ("test-0003", "Коваль", "Марія", "Олексіївна", date(1999, 12, 1), "м. Дніпро, вул. Січеславська, 5",
     "", "001234567"),
    ("test-0004", "Мельник", "Андрій", "Степанович", date(1990, 5, 17), "м. Київ, вул. Хрещатик, 22",   # not a resident
     "3300907810", "ВК765432"),
]


def load_demo() -> None:
    for subject, family, given, middle, born, address, rnokpp, document in RESIDENTS:
        resident, _ = TestResident.objects.get_or_create(subject=subject, defaults={
            "family_name": family, "given_name": given, "middle_name": middle, "birthdate": born, "address": address})
        if not resident.document_number:        # databases made before these fields existed
            TestResident.objects.filter(pk=resident.pk).update(rnokpp=rnokpp, document_number=document)
    OAuthClient.objects.update_or_create(client_id=settings.BANKID_CLIENT_ID, defaults={
        "secret_sha256": hashlib.sha256(settings.BANKID_CLIENT_SECRET.encode()).hexdigest(),
        "redirect_uri_prefixes": "http://127.0.0.1:\nhttp://localhost:\nhttp://testserver/\nhttps://"})
