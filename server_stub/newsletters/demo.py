"""Demo topics (the concept's examples: land, education, social protection, …)."""

from __future__ import annotations

from .models import Topic

TOPICS = [("land", "Земельні питання", "рішення щодо землі, оренда, відведення"),
          ("education", "Освіта", "школи, садочки, позашкілля"),
          ("social", "Соціальний захист", "допомоги, пільги, соціальні послуги"),
          ("transport", "Транспорт", "маршрути, ремонти доріг"),
          ("council", "Сесії ради", "порядок денний і рішення")]


def load_demo() -> None:
    for slug, title, desc in TOPICS:
        Topic.objects.get_or_create(slug=slug, defaults={"title": title, "description": desc})
