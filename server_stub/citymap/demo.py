"""Demo layers and objects around the centre of Dnipro."""

from __future__ import annotations

from .models import Feature, Layer
from .routing import CATEGORIES, category_for

LAYERS = [
    ("education", "Освіта", "Школи та дитячі садки", "#0b4f9c",
     [{"name": "phone", "label": "Телефон", "type": "string"}],
     [("Ліцей № 1", 48.4647, 35.0462, {"phone": "+380 56 000 00 01"}),
      ("Школа № 23", 48.4581, 35.0601, {"phone": "+380 56 000 00 23"})]),
    ("sport", "Спорт", "Спортивні майданчики", "#0d5c2e", [{"name": "surface", "label": "Покриття", "type": "string"}],
     [("Стадіон «Металург»", 48.4700, 35.0300, {"surface": "трава"}),
      ("Майданчик у парку Глоби", 48.4660, 35.0520, {"surface": "гума"})]),
    ("trade", "Торгівля", "Ринки та ярмарки", "#6b3fa0", [],
     [("Озерка", 48.4680, 35.0380, {})]),
    # many objects close together: the map clusters them until one zooms in
    ("stops", "Зупинки", "Зупинки громадського транспорту на проспекті Дмитра Яворницького", "#8a5a00",
     [{"name": "routes", "label": "Маршрути", "type": "string"}],
     [(f"Зупинка «Яворницького, {i + 1}»", round(48.4560 + i * 0.0006, 5), round(35.0200 + i * 0.0021, 5),
       {"routes": f"тролейбус {1 + i % 3}, автобус {100 + i}"}) for i in range(20)]),
]


def load_demo() -> None:
    for kind in CATEGORIES:  # the contact centre's categories of map reports
        category_for(kind)
    for slug, title, desc, color, attrs, feats in LAYERS:
        layer, created = Layer.objects.get_or_create(slug=slug, defaults={
            "title": title, "description": desc, "color": color, "attributes": attrs})
        if created:
            for name, lat, lon, values in feats:
                Feature.objects.create(layer=layer, name=name, lat=lat, lon=lon, attributes=values)
