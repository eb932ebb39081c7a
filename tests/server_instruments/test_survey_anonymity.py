"""Anonymous surveys stay anonymous to whoever holds the database AND the secret key (docs/security.md).

N residents answer in a known order, each with an answer the test can recognise. Playing the attacker, the
test recomputes every resident's token with the secret key (the server's own ``person_key``) and reads the
tables as stored: the tokens' storage order, the responses' storage order, the answers' keys and storage
order. None of them may follow the order in which the residents answered, and no row carries a time.
"""

from __future__ import annotations

import json

from tests.server_instruments.helpers import (
    J,
    Server,
    db_json,
    seed_residents,
    session_from_key,
    shell,
    staff_session,
)

N = 40
LIMIT = 0.85  # |Spearman rho| of a random order of 40 exceeds this with probability about 1e-7


def _spearman(order: list[int]) -> float:
    """Rank correlation between positions 0..n-1 and the values in ``order`` (a permutation of 0..n-1)."""
    n = len(order)
    d2 = sum((i - v) ** 2 for i, v in enumerate(order))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _stored(srv: Server, sql: str, sid: int) -> list[list[str]]:
    """Rows exactly as the database hands them out without ORDER BY, plus SQLite's hidden rowid if it has one."""
    code = ("import json\nfrom django.db import connection\nc = connection.cursor()\n"
            f"c.execute({sql!r}, [{sid}])\nprint('@@' + json.dumps([[str(x) for x in r] for r in c.fetchall()]))")
    return json.loads(shell(srv, code).split("@@", 1)[1])


def test_stored_answers_carry_no_order_or_time_of_the_people_who_gave_them(srv: Server) -> None:
    staff = J(srv, staff_session(srv, "publisher"))
    sid = staff.post("/api/consult/surveys", {"title": "Анонімність", "anonymous": True, "questions": [
        {"kind": "text", "text": "Хто ви?"}, {"kind": "scale", "text": "Оцінка"}]}).json()["id"]
    keys = seed_residents(srv, "anon", N)
    for i, key in enumerate(keys):  # answer in a known order: resident i says "voter-i"
        r = J(srv, session_from_key(srv, key)).post(f"/api/consult/surveys/{sid}/responses", {
            "consent": True, "answers": {"1": f"voter-{i:02d}", "2": 1 + i % 5}})
        assert r.status_code == 201, r.text

    # the attacker's side: every resident's token, recomputed with the secret key from the identity keys
    token_of = db_json(srv, "{s: __import__('server_stub.petitions.access', fromlist=['x']).person_key("
                            f"'survey-{sid}', k) for s, k in M('core.Resident').objects.filter("
                            "subject__startswith='anon-').values_list('subject', 'identity_key')}")
    who = {token: int(subject.split("-")[1]) for subject, token in token_of.items()}
    assert len(who) == N

    sqlite = db_json(srv, "__import__('django.db', fromlist=['x']).connection.vendor") == "sqlite"
    hidden = "rowid, " if sqlite else ""
    tokens = _stored(srv, f"SELECT {hidden}token FROM consult_answertoken WHERE survey_id = %s", sid)
    token_order = [who[row[-1]] for row in tokens]
    answers = _stored(srv, f"SELECT {'a.' if sqlite else ''}{hidden}a.id, a.response_id, a.value FROM consult_answer a "
                           "JOIN consult_question q ON q.id = a.question_id WHERE q.survey_id = %s AND q.position = 1",
                      sid)
    voter_of_response = {row[-2]: int(json.loads(row[-1]).split("-")[1]) for row in answers}
    answer_order = [voter_of_response[row[-2]] for row in answers]
    by_answer_id = [voter_of_response[r[-2]] for r in sorted(answers, key=lambda r: int(r[-3]))]
    responses = _stored(srv, f"SELECT {hidden}id FROM consult_response WHERE survey_id = %s", sid)
    response_order = [voter_of_response[row[-1]] for row in responses]
    by_response_id = [voter_of_response[r[-1]] for r in sorted(responses, key=lambda r: r[-1])]
    orders = {"tokens as stored": token_order, "answers as stored": answer_order, "answers by id": by_answer_id,
              "responses as stored": response_order, "responses by id": by_response_id}
    if sqlite:
        orders["tokens by rowid"] = [who[r[1]] for r in sorted(tokens, key=lambda r: int(r[0]))]
        orders["responses by rowid"] = [voter_of_response[r[1]] for r in sorted(responses, key=lambda r: int(r[0]))]
    for name, order in orders.items():
        assert sorted(order) == list(range(N)), name
        assert abs(_spearman(order)) < LIMIT, f"{name} follows the order of answering: {order}"
    # and no time on any of these rows
    fields = db_json(srv, "{m: [f.get_internal_type() for f in M(m)._meta.concrete_fields] for m in "
                          "('consult.AnswerToken', 'consult.Response', 'consult.Answer')}")
    for model, types in fields.items():
        assert "DateTimeField" not in types and "TimeField" not in types, model
    dates = db_json(srv, f"list(M('consult.Response').objects.filter(survey_id={sid}).values_list('submitted_on', "
                         "'resident_id').distinct())")
    assert dates == [[None, None]]
