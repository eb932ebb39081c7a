"""Appeal numbers: the check character, uniqueness across terminals and restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk_app.core.numbering import AppealNumber, NumberError, parse, parse_sheet_payload
from kiosk_app.core.store import Store, WrongTerminal

numbers = st.builds(AppealNumber, st.integers(1, 999), st.integers(1, 999_999))
ALPHABET = "0123456789X"


def test_forms() -> None:
    n = AppealNumber(17, 123)
    assert n.display == f"017-000123-{n.check}"
    assert n.compact == f"017000123{n.check}"
    assert parse(n.display) == n and parse(n.compact) == n and parse(f" {n.display.lower()} ") == n
    assert parse_sheet_payload(n.sheet_payload(2)) == (n, 2)


@settings(max_examples=500)
@given(numbers, st.data())
def test_every_single_character_error_is_caught(n: AppealNumber, data: st.DataObject) -> None:
    s = n.compact
    i = data.draw(st.integers(0, len(s) - 1))
    c = data.draw(st.sampled_from([ch for ch in ALPHABET if ch != s[i]]))
    with pytest.raises(NumberError):
        parse(s[:i] + c + s[i + 1:])


@settings(max_examples=500)
@given(numbers, st.integers(0, 8))
def test_every_swap_of_neighbours_is_caught(n: AppealNumber, i: int) -> None:
    s = n.compact
    if s[i] == s[i + 1]:
        return  # swapping equal characters changes nothing
    with pytest.raises(NumberError):
        parse(s[:i] + s[i + 1] + s[i] + s[i + 2:])


def test_exhaustive_single_errors_on_a_sample() -> None:
    for seq in range(1, 2000, 7):
        s = AppealNumber(42, seq).compact
        for i in range(len(s)):
            for c in ALPHABET:
                if c != s[i]:
                    with pytest.raises(NumberError):
                        parse(s[:i] + c + s[i + 1:])


ops = st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["issue", "issue", "issue", "restart", "void"])),
               min_size=1, max_size=60)


@settings(max_examples=25, deadline=None)
@given(ops)
def test_no_two_terminals_and_no_restart_produce_the_same_number(tmp_path_factory: pytest.TempPathFactory, plan: list) -> None:
    base = tmp_path_factory.mktemp("fleet")
    codes = [1, 2, 117, 999]
    stores = {i: Store(base / str(i), terminal=codes[i]) for i in range(4)}
    seen: set[str] = set()
    try:
        for term, op in plan:
            if op == "restart":
                stores[term].close()
                stores[term] = Store(base / str(term), terminal=codes[term])
                stores[term].recover()
            else:
                n = stores[term].issue_number()
                assert n.compact not in seen
                seen.add(n.compact)
                if op == "void":
                    stores[term].void_number(n, "test: abandoned")
        all_rows = [r["compact"] for s in stores.values() for r in s.db.query("SELECT compact FROM numbers")]
        assert len(all_rows) == len(set(all_rows)) == len(seen)
    finally:
        for s in stores.values():
            s.close()


def test_store_refuses_another_terminal_code(tmp_path: Path) -> None:
    Store(tmp_path, terminal=5).close()
    with pytest.raises(WrongTerminal):
        Store(tmp_path, terminal=6)


def test_abandoned_number_is_void_with_reason(tmp_path: Path) -> None:
    s = Store(tmp_path, terminal=5)
    intake, n = s.start_intake()
    s.abandon_intake(intake, "resident left")
    row = s.number_state(n.compact)
    assert row is not None and row["state"] == "void" and row["void_reason"] == "resident left"
    assert s.issue_number() != n
