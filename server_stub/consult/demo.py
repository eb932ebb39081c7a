"""Demo: one consultation on a draft decision, one anonymous survey."""

from __future__ import annotations

from .models import Consultation, Question, Survey


def load_demo() -> None:
    if not Consultation.objects.exists():
        Consultation.objects.create(title="Проєкт рішення «Про правила благоустрою»", document=(
            "1. Ці Правила визначають порядок благоустрою території міста.\n\n"
            "2. Власники будівель утримують прилеглу територію в чистоті.\n\n"
            "3. Розміщення тимчасових споруд погоджується з виконавчим комітетом."))
    if not Survey.objects.exists():
        s = Survey.objects.create(title="Оцінка ремонту вулиці Робочої", anonymous=True)
        Question.objects.create(survey=s, position=1, kind="single", text="Чи задоволені ви якістю ремонту?",
                                options=["Так", "Частково", "Ні"])
        Question.objects.create(survey=s, position=2, kind="scale", text="Оцініть від 1 до 5")
        Question.objects.create(survey=s, position=3, kind="text", text="Що покращити?")
