"""Demo executive bodies: the general department (receives appeals not routed yet) and one department;
the demo ``official`` works in the general department."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from .models import ExecutiveBody

BODIES = [("Загальний відділ / General department", True),
          ("Департамент житлово-комунального господарства / Housing and utilities department", False)]


def load_demo() -> None:
    for name, unrouted in BODIES:
        ExecutiveBody.objects.get_or_create(name=name, defaults={"receives_unrouted": unrouted})
    official = get_user_model().objects.filter(username="official").first()
    if official is not None:
        ExecutiveBody.objects.get(name=BODIES[0][0]).officials.add(official)
