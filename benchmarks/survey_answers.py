"""What keeping survey answers unlinkable costs: each anonymous answer writes a token and gives the token and
the response random rowids on SQLite (server_stub/consult/services.py, docs/security.md). Beside it, in the
same run and the same database, the baseline: the same answers to an open survey (no token, no reordering).

    .venv/bin/python benchmarks/survey_answers.py              # 3,000 answers per survey
    .venv/bin/python benchmarks/survey_answers.py --answers 500
    .venv/bin/python benchmarks/survey_answers.py --db postgresql://appeals:appeals@127.0.0.1:5432/bench

In-process, real SQLite (WAL) in a temporary data folder (or the empty PostgreSQL database ``--db``), through
``services.submit``. On PostgreSQL each anonymous answer rewrites the survey's rows, so the cost grows. Prints the time of
one answer (median and p95) over the first and the last tenth of the answers, and the ratio to baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [{"kind": "single", "text": "Задоволені?", "options": ["Так", "Ні"]},
             {"kind": "scale", "text": "Оцінка"}, {"kind": "text", "text": "Побажання"}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--answers", type=int, default=3000)
    ap.add_argument("--db", default="", help="postgresql://… (an empty database); default SQLite")
    ns = ap.parse_args()
    if ns.db:
        os.environ["CITY_SERVER_DATABASE_URL"] = ns.db
    tmp = tempfile.mkdtemp(prefix="survey-bench-")
    os.environ.update(CITY_SERVER_DATA_DIR=tmp, DJANGO_SETTINGS_MODULE="server_stub.settings",
                      CITY_SERVER_LOG_LEVEL="WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from server_stub.consult import services
    from server_stub.consult.models import Question, Survey
    from server_stub.core.models import Resident

    call_command("migrate", verbosity=0)
    n = ns.answers
    users = get_user_model().objects.bulk_create([get_user_model()(username=f"bench-{i}") for i in range(n)],
                                                 batch_size=500)
    from server_stub.core import identity

    keys = {u.pk: identity.identity(f"Тест {u.username}", date(1980, 1, 1), None) for u in users}
    residents = Resident.objects.bulk_create([Resident(user=u, subject=u.username, family_name="Тест",
                                                       given_name=u.username, verified_at=timezone.now(),
                                                       identity_key=keys[u.pk].identity_key,
                                                       name_key=keys[u.pk].name_key, locality="дніпро")
                                              for u in users], batch_size=500)
    answers = {"1": "Так", "2": 4, "3": "Більше лав"}
    times: dict[str, list[float]] = {}
    for label, anonymous in (("open survey (baseline)", False), ("anonymous, unordered", True)):
        survey = Survey.objects.create(title=label, anonymous=anonymous)
        Question.objects.bulk_create([Question(survey=survey, position=i + 1, **q) for i, q in enumerate(QUESTIONS)])
        spent = []
        for r in residents:
            start = time.perf_counter()
            services.submit(survey, r, True, answers)
            spent.append(time.perf_counter() - start)
        times[label] = spent
    tenth = max(1, n // 10)
    from django.db import connection

    print(f"{n} answers per survey, {connection.vendor}, {len(QUESTIONS)} questions")
    base = times["open survey (baseline)"]
    for label, spent in times.items():
        for part, sample in (("first tenth", spent[:tenth]), ("last tenth", spent[-tenth:])):
            med = statistics.median(sample) * 1000
            p95 = statistics.quantiles(sample, n=20)[-1] * 1000
            ref = statistics.median(base[:tenth] if part == "first tenth" else base[-tenth:]) * 1000
            print(f"  {label:24} {part:11}: median {med:7.2f} ms, p95 {p95:7.2f} ms, x{med / ref:5.1f} of baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
