"""Demo: the 2027 cycle in the voting phase with three admitted projects."""

from __future__ import annotations

from decimal import Decimal

from .models import Cycle, Project

PROJECTS = [("Сквер на Робочій", "improvement", "вул. Робоча, 12", "1200000"),
            ("Шкільний стадіон", "sport", "школа № 23", "2500000"),
            ("Бібліотека-коворкінг", "culture", "просп. Поля, 10", "800000")]


def load_demo() -> None:
    cycle, created = Cycle.objects.get_or_create(year=2027, defaults={"total_budget": Decimal("3000000"),
                                                                      "phase": "voting"})
    if not created:
        return
    for title, cat, where, cost in PROJECTS:
        Project.objects.create(cycle=cycle, title=title, description=f"{title}: опис проєкту для голосування.",
                               category=cat, location=where, cost=Decimal(cost), status="accepted")
