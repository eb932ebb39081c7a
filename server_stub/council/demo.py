"""Demo council: factions, commissions, districts with streets, deputies, one decision with its votes."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from . import services
from .models import AnnualReport, Commission, Deputy, District, Faction, Motion

DEPUTIES = [("Мельник", "Андрій", "Іванович", "Слуга міста", 1), ("Кравченко", "Оксана", "Петрівна", "Слуга міста", 1),
            ("Ткаченко", "Юрій", "Олегович", "Рідне місто", 2), ("Олійник", "Наталія", "Сергіївна", "Рідне місто", 2),
            ("Лисенко", "Віктор", "Андрійович", "Слуга міста", 3), ("Гончаренко", "Ірина", "Василівна", "Рідне місто", 3),
            ("Савченко", "Богдан", "Ігорович", "Позафракційні", 4)]
STREETS = {1: "вул. Яворницького\nвул. Січеславська", 2: "просп. Поля\nвул. Шевченка", 3: "вул. Робоча\nвул. Титова",
           4: "вул. Набережна Перемоги"}


@transaction.atomic
def load_demo() -> None:
    if Deputy.objects.exists():
        return
    for n, streets in STREETS.items():
        District.objects.create(number=n, streets=streets)
    budget = Commission.objects.create(name="Постійна комісія з питань бюджету і фінансів")
    land = Commission.objects.create(name="Постійна комісія з питань землекористування")
    deputies = []
    for i, (fam, given, mid, faction, dist) in enumerate(DEPUTIES):
        f, _ = Faction.objects.get_or_create(name=faction)
        d = Deputy.objects.create(family_name=fam, given_name=given, middle_name=mid, voting_id=str(101 + i),
                                  faction=f, district=District.objects.get(number=dist),
                                  reception_address=f"м. Дніпро, громадська приймальня № {dist}",
                                  reception_hours="перший вівторок місяця, 15:00–17:00", phone="056 700-00-0" + str(i))
        d.commissions.add(budget if i < 5 else land)
        deputies.append(d)
    AnnualReport.objects.create(deputy=deputies[0], year=2025, text="Проведено 12 прийомів, розглянуто 48 звернень.")
    motion = Motion.objects.create(uid="2026-10-15-3", date=date(2026, 10, 15),
                                   title="Про затвердження Програми «Відкритий бюджет» на 2027 рік")
    options = ["yes", "yes", "yes", "no", "abstain", "yes", "absent"]
    services.record(motion, timezone.make_aware(datetime(2026, 10, 15, 11, 5)),
                    {d.pk: o for d, o in zip(deputies, options, strict=True)}, source="session")
