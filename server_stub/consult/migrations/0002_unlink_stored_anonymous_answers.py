"""Answers already stored for anonymous surveys lose their order of arrival (docs/security.md, *Surveys*).

Answers get random keys; the tokens and the responses of each anonymous survey are rewritten in a random
order (as ``services.submit`` now does on every answer). Nothing is added or removed.
"""

import secrets

from django.db import migrations

RNG = secrets.SystemRandom()


def _reshuffle(cur, ops, table: str, columns: list[str], where: str, survey_id: int) -> None:
    names = ", ".join(ops.quote_name(c) for c in columns)
    cur.execute(f"SELECT {names} FROM {ops.quote_name(table)} WHERE {ops.quote_name(where)} = %s", [survey_id])
    rows = list(cur.fetchall())
    RNG.shuffle(rows)
    cur.execute(f"DELETE FROM {ops.quote_name(table)} WHERE {ops.quote_name(where)} = %s", [survey_id])
    cur.executemany(f"INSERT INTO {ops.quote_name(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                    rows)


def unlink(apps, schema_editor) -> None:
    conn = schema_editor.connection
    survey_model = apps.get_model("consult", "Survey")
    answer = apps.get_model("consult", "Answer")
    with conn.cursor() as cur:
        for sid in survey_model.objects.filter(anonymous=True).values_list("pk", flat=True):
            for name in ("AnswerToken", "Response"):
                model = apps.get_model("consult", name)
                _reshuffle(cur, conn.ops, model._meta.db_table, [f.column for f in model._meta.concrete_fields],
                           "survey_id", sid)
            for pk in list(answer.objects.filter(question__survey_id=sid).values_list("pk", flat=True)):
                answer.objects.filter(pk=pk).update(id=RNG.randrange(1, 2**62))


class Migration(migrations.Migration):
    dependencies = [("consult", "0001_initial")]
    operations = [migrations.RunPython(unlink, migrations.RunPython.noop)]
