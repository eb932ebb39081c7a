"""Demo datasets (their resources are generated from the server's own data)."""

from __future__ import annotations

from .models import Dataset, Group, Tag

GROUPS = [("appeals", "Звернення громадян"), ("city-services", "Міські послуги"), ("geo", "Геодані")]
DATASETS = [
    ("appeals-statistics", "Статистика звернень громадян", "Кількість звернень за місяцями, видами, каналами "
     "надходження і станом розгляду, без персональних даних.", ["звернення", "статистика"], ["appeals"],
     "appeals_stats", "month, kind_code (3.1/3.2/3.3), channel_code, status, count, overdue", "monthly"),
    ("contact-centre-requests", "Заявки до контакт-центру", "Заявки щодо аварій і благоустрою: категорія, стан, "
     "строки, координати (округлені), без персональних даних.", ["контакт-центр", "аварії"], ["city-services"],
     "contact_requests", "service_request_id, service_code, status, requested, expected, lat, long", "daily"),
    ("city-map-objects", "Об'єкти мапи міста", "Геолоковані об'єкти шарів відкритої мапи міста.",
     ["мапа", "геодані"], ["geo"], "map_features", "layer, name, lat, lon, attributes", "weekly"),
    ("appeal-terminals", "Термінали для звернень", "Адреси терміналів прийому звернень.", ["термінали"],
     ["appeals", "geo"], "terminals", "code, name, address", "on_change"),
]


def load_demo() -> None:
    groups = {n: Group.objects.get_or_create(name=n, defaults={"title": t})[0] for n, t in GROUPS}
    for name, title, notes, tags, group_names, gen, structure, freq in DATASETS:
        ds, created = Dataset.objects.get_or_create(name=name, defaults={
            "title": title, "notes": notes, "publisher": "Виконавчий комітет міської ради",
            "maintainer": "Відділ відкритих даних", "maintainer_email": "opendata@example.org",
            "update_frequency": freq, "structure": structure, "generator": gen,
            "legal_basis": "Постанова КМУ від 21.10.2015 № 835"})
        if created:
            ds.tags.set([Tag.objects.get_or_create(name=t)[0] for t in tags])
            ds.groups.set([groups[g] for g in group_names])
