"""The phone sign-in's screens without a server (the flow itself: tests/ui/test_phone_sign_in.py):
the code said letter by letter, the verified data by keypad with the address corrected (and the
appeal saying so), and typing after a sign-in leaving nothing verified behind."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt

from kiosk_app.core.applicant import validate
from kiosk_app.core.metadata import verification
from kiosk_app.ui.gallery import DEMO_VERIFIED, stage


def test_the_user_code_is_spoken_letter_by_letter(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    for lang, said, left in (("uk", "бі ді еф ейч, кей ем ен пі", r"ще 4 хвилини \d+ секунд"),
                             ("en", "B D F H, K M N P", r"valid for 4 minutes \d+ seconds? more")):
        win.lang = lang
        stage(win, "device")
        p = win.nav.screen("device")
        bot.tap(p.speak_btn)
        u = win.speaker.spoken[-1]
        assert "BDFH-KMNP" in u.text and said in u.spoken
        assert p.wait.text().rstrip(".") in u.text                # the wait line is read too, in words
        assert re.search(left, u.spoken), u.spoken


def test_verified_data_by_keypad_and_the_address_corrected(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    stage(win, "verified")
    s = win.session
    p = bot.at(win, "verified")
    assert "Мʼясоїд-Коваль Наталія Іванівна  ✓ BankID" in p.info.text().replace("’", "ʼ")
    assert p.field is None                                        # nothing to edit here
    assert win.focusWidget() is p.primary
    bot.press(win, Qt.Key.Key_Tab)
    assert win.focusWidget() is p.extra["address"]
    bot.press(win, Qt.Key.Key_Return)
    a = bot.at(win, "address")
    assert a.body.text().startswith("Адреса з BankID — зареєстрована")
    assert a.field.text() == DEMO_VERIFIED.address                 # the registered one, to correct
    a.field.setFocus()
    a.field.clear()
    bot.typed(win, "м. Дніпро, вул. Короленка, 2")
    bot.press(win, Qt.Key.Key_Return)
    bot.at(win, "kind")
    data = {**s.applicant_data(), "kind": "application", "consent": True}
    applicant = validate(data)
    assert applicant.address == "м. Дніпро, вул. Короленка, 2" and applicant.surname == DEMO_VERIFIED.surname
    assert verification(applicant) == {"identity_verified": True, "identity_verified_by": "bankid",
                                       "identity_verified_at": DEMO_VERIFIED.verified_at, "address_verified": False}
    # a name typed into the session cannot replace the verified one
    s.data["surname"] = "Інший"
    assert validate({**s.applicant_data(), "kind": "application", "consent": True}).surname == DEMO_VERIFIED.surname
    bot.press(win, Qt.Key.Key_Escape)                              # Back: the address again
    bot.at(win, "address")


def test_choosing_to_type_after_a_sign_in_forgets_the_verified_data(qtbot: Any, bot: Any, window: Any) -> None:
    win = window
    stage(win, "verified")
    s = win.session
    bot.tap(bot.at(win, "verified").back)
    ident = bot.at(win, "identity")
    bot.tap(ident.choices["type"])
    surname = bot.at(win, "surname")
    assert s.verified is None and surname.field.text() == "" and "rnokpp" not in s.data
    assert validate({**s.applicant_data(), "surname": "Бойко", "name": "Іра", "address": "Київ, 2",
                     "rnokpp": "1759013776", "kind": "application", "consent": True}).verified is None
