"""Demo: two officials with reception slots next week, a few services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Official, Service, Slot

SERVICES = [("Адміністративні послуги", "Реєстрація місця проживання", "Подання заяви та документів.", "ЦНАП"),
            ("Адміністративні послуги", "Довідка про склад сім'ї", "Видається в день звернення.", "ЦНАП"),
            ("Освіта", "Запис дитини до садочка", "Електронна черга до закладів дошкільної освіти.", "онлайн"),
            ("Медицина", "Пошук сімейного лікаря", "Перелік амбулаторій і лікарів.", "онлайн")]


def load_demo() -> None:
    if Official.objects.exists():
        return
    o1 = Official.objects.create(name="Петренко О. В.", position="заступник міського голови", place="пл. Ради, 1, каб. 210")
    o2 = Official.objects.create(name="Іваненко Л. М.", position="директор департаменту соцзахисту", place="вул. Шевченка, 7")
    base = timezone.localtime(timezone.now()).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=7)
    for i in range(3):
        Slot.objects.create(official=o1, starts_at=base + timedelta(hours=i), capacity=2)
        Slot.objects.create(official=o2, starts_at=base + timedelta(days=1, hours=i), capacity=3)
    for cat, title, desc, where in SERVICES:
        Service.objects.create(category=cat, title=title, description=desc, where=where)
