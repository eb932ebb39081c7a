"""The terminal's device flow (Terminal.identity_begin / identity_poll / identity_cancel) against the
real city server: approval with the claims once, denial, expiry at the server, slow_down, a used
and a foreign code, a revoked terminal, the kiosk session ending first, and the server going away
mid-poll. The phone is a second HTTP client through the BankID stand-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from kiosk_app.core.device_flow import DeviceFlow, FlowStatus
from kiosk_app.core.server_client import ServerClient, ServerRefused, Timeouts
from kiosk_app.core.terminal import Terminal
from tests.identity.conftest import FAST, INTERVAL, TTL, poll_until_done
from tests.server.citysrv_helpers import Server, run_server
from tests.server.test_device_flow import IVAN, MARIA, Phone, state

Make = Callable[..., Terminal]


def on_the_phone(srv: Server, t: Terminal, user_code: str, resident: str, action: str) -> FlowStatus:
    """The resident signs in on their phone and approves or denies; the terminal polls to the end."""
    phone = Phone(srv)
    assert 'data-step="confirm"' in phone.sign_in(user_code, resident).text
    assert state(phone.decide(action)) == {"approve": "approved", "deny": "denied"}[action]
    return poll_until_done(t)[0]


def client(srv: Server, code: str) -> ServerClient:
    return ServerClient(requests.Session(), srv.url, srv.token(code), timeouts=Timeouts(3, 5, 5))


def test_approved_claims_arrive_once_and_the_terminal_keeps_nothing(city: Server, terminal_for: Make) -> None:
    t = terminal_for(city, "061")
    st = t.identity_begin()
    assert st.state == "pending" and st.verification_uri == city.url + "/device"
    assert st.verification_uri_complete == f"{city.url}/device?user_code={st.user_code}"
    assert st.next_poll_in == pytest.approx(INTERVAL, abs=0.1) and 0 < st.expires_in <= TTL
    done = on_the_phone(city, t, st.user_code, "test-0002", "approve")
    assert done.state == "approved" and done.identity is not None
    v = done.identity
    assert (v.surname, v.given_name, v.patronymic, v.birthdate, v.rnokpp, v.document_number, v.address) == \
        tuple(IVAN[k] for k in ("surname", "given_name", "patronymic", "birthdate", "rnokpp", "document_number",
                                "address"))
    assert v.verified_by == "bankid" and v.verified_at.endswith("Z")
    assert t._flow is None                               # the terminal forgot the flow: the claims are the caller's
    assert t.identity_poll().state == "cancelled"        # nothing more to get
    # nothing of the resident in the terminal's store (events carry states only)
    rows = t.store.conn.execute("SELECT event, detail_json FROM events WHERE event='identity_flow'").fetchall()
    assert [r[0] for r in rows] == ["identity_flow", "identity_flow"]
    dump = "\n".join(str(r[1]) for r in rows)
    assert "approved" in dump and not [x for x in IVAN.values() if x and x in dump]


def test_an_id_card_without_rnokpp_fills_the_passport_field(city: Server, terminal_for: Make) -> None:
    t = terminal_for(city, "062")
    done = on_the_phone(city, t, t.identity_begin().user_code, "test-0003", "approve")
    assert done.state == "approved" and done.identity is not None
    fields = done.identity.applicant_fields()
    assert fields["idtype"] == "passport" and fields["passport"] == MARIA["document_number"] and "rnokpp" not in fields


def test_denial(city: Server, terminal_for: Make) -> None:
    t = terminal_for(city, "063")
    done = on_the_phone(city, t, t.identity_begin().user_code, "test-0001", "deny")
    assert done.state == "denied" and done.identity is None and t._flow is None


def test_expiry_said_by_the_server(city: Server) -> None:
    """The terminal's clock lags (it would still wait): the server's expired_token ends the flow."""
    fake = [0.0]
    flow = DeviceFlow(client(city, "064"), clock=lambda: fake[0])
    assert flow.start().state == "pending"
    time.sleep(TTL + 0.5)
    fake[0] += INTERVAL
    st = flow.poll()
    assert st.state == "expired" and "expired_token" in st.detail


def test_slow_down_grows_the_interval_and_the_terminal_keeps_to_it(city: Server) -> None:
    """A terminal clock running fast makes the terminal poll too soon: the server says slow_down,
    the interval becomes 1 + 5 s, and the terminal waits that long before it asks again."""
    fake = [0.0]
    flow = DeviceFlow(client(city, "065"), clock=lambda: fake[0])
    flow.start()
    fake[0] += INTERVAL
    assert flow.poll().state == "pending" and flow.interval == INTERVAL        # authorization_pending
    fake[0] += INTERVAL                                                         # "a second later", at once
    st = flow.poll()
    assert st.state == "pending" and flow.interval == INTERVAL + 5 and st.next_poll_in == INTERVAL + 5
    polls = flow.polls
    fake[0] += INTERVAL
    assert flow.poll().state == "pending" and flow.polls == polls              # not before 6 s
    time.sleep(INTERVAL + 5 + 0.3)
    fake[0] += INTERVAL + 5
    st = flow.poll()
    assert st.state == "pending" and flow.polls == polls + 1 and flow.interval == INTERVAL + 5  # pending, no slow_down


def test_a_used_code_and_a_foreign_code(city: Server) -> None:
    mine = DeviceFlow(client(city, "066"))
    st = mine.start()
    code = mine.device_code
    phone = Phone(city)
    phone.sign_in(st.user_code)
    assert state(phone.decide("approve")) == "approved"
    # another terminal polling this terminal's code gets nothing
    foreign = DeviceFlow(client(city, "067"))
    foreign.start()
    foreign.device_code, foreign.next_at = code, 0.0
    assert foreign.poll().state == "invalid"
    assert mine.wait().state == "approved"
    # the same code again: refused
    with pytest.raises(ServerRefused) as refused:
        client(city, "066").device_token(code)
    assert refused.value.code == "invalid_grant"
    again = DeviceFlow(client(city, "066"))
    again.start()
    again.device_code, again.next_at = code, 0.0
    assert again.poll().state == "invalid"


def test_a_revoked_terminal_gets_nothing(city: Server, terminal_for: Make) -> None:
    token = city.cli("issue-terminal-credential", "068").stdout.strip().splitlines()[-1]
    t = terminal_for(city, "068", token)
    st = t.identity_begin()
    phone = Phone(city)
    phone.sign_in(st.user_code)
    city.cli("revoke-terminal-credential", "068")
    assert state(phone.decide("approve")) == "revoked"
    done, _ = poll_until_done(t)
    assert done.state == "refused" and done.identity is None and "401" in done.detail
    again = t.identity_begin()
    assert again.state == "refused" and again.user_code == ""


def test_the_session_ends_before_the_phone_approves(city: Server, terminal_for: Make) -> None:
    t = terminal_for(city, "069")
    st = t.identity_begin()
    phone = Phone(city)
    assert 'data-step="confirm"' in phone.sign_in(st.user_code).text
    t.identity_cancel()                                   # the resident left; the idle timeout ended it
    late = phone.decide("approve")
    assert state(late) == "ended" and "Ваші дані нікому не передано" in late.text
    assert t.identity_poll().state == "cancelled"


def test_the_server_going_away_mid_poll(tmp_path: Path, terminal_for: Make) -> None:
    with run_server(tmp_path, [], FAST) as srv:
        t = terminal_for(srv, "070")
        st = t.identity_begin()
        assert st.state == "pending"
        time.sleep(st.next_poll_in)
        assert t.identity_poll().state == "pending"
    # the server process is stopped now
    time.sleep(INTERVAL)
    st = t.identity_poll()
    assert st.state == "unavailable" and st.identity is None and st.user_code == ""
    assert t._flow is None and t.identity_poll().state == "cancelled"        # state cleared
    assert t.identity_begin().state == "unavailable"                          # and the next try says so too
