"""Demo categories (Open311 services), a demo API key "demo-open311-key", notices, requests."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone

from . import services
from .models import ApiKey, Category, Notice, ServiceRequest

CATEGORIES = [
    ("water", "Відсутнє водопостачання", "Аварії водопроводу, відсутність води", "Комунальні послуги", 24,
     [{"variable": True, "code": "flooding", "datatype": "singlevaluelist", "required": False,
       "datatype_description": "", "order": 1, "description": "Чи є підтоплення?",
       "values": [{"key": "yes", "name": "Так"}, {"key": "no", "name": "Ні"}]}]),
    ("heating", "Відсутнє опалення", "Холодні батареї, аварії теплотраси", "Комунальні послуги", 24, []),
    ("lighting", "Не працює вуличне освітлення", "Ліхтарі, опори освітлення", "Благоустрій", 72, []),
    ("road", "Пошкодження дороги", "Ями, відкриті люки", "Дороги", 168, []),
    ("waste", "Не вивезено сміття", "Переповнені контейнери", "Благоустрій", 48, []),
]


def load_demo() -> None:
    for code, name, desc, group, hours, attrs in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={
            "name": name, "description": desc, "group": group, "keywords": group.lower(),
            "agency": "КП «Міськсвітло»" if code == "lighting" else "Департамент ЖКГ", "deadline_hours": hours,
            "attributes": attrs})
    ApiKey.objects.get_or_create(key_sha256=hashlib.sha256(b"demo-open311-key").hexdigest(),
                                 defaults={"name": "demo"})
    now = timezone.now()
    if not Notice.objects.exists():
        Notice.objects.create(kind="emergency", title="Аварійне відключення води", area="вул. Робоча, 60-90",
                              body="Пошкодження водогону, ремонтна бригада на місці.", starts_at=now,
                              ends_at=now + timedelta(hours=8))
        Notice.objects.create(kind="repair", title="Планова заміна труб теплотраси", area="просп. Поля, 1-20",
                              starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=4))
    if not ServiceRequest.objects.exists():
        r = services.create(Category.objects.get(code="lighting"), description="Не світять три ліхтарі біля школи",
                            lat=48.4647, lon=35.0462, address="вул. Яворницького, 50", channel="operator")
        services.change_status(r, "in_progress", "Бригаду направлено")
        services.create(Category.objects.get(code="road"), description="Відкритий каналізаційний люк",
                        lat=48.4580, lon=35.0600, address="просп. Поля, 12", channel="resident")
