"""The phone's pages: /device (enter the code shown by the terminal) and /device/confirm (after
the BankID sign-in: which terminal asks, which data it will get, Approve / Deny).

Ukrainian first, English second on every line, as on the receipt's status page. The BankID
sign-in is the server's own (core/bankid_client.py): its ``signed_in`` signal hands the verified
claims to :func:`on_signed_in`, which binds them to the authorization this session entered.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from server_stub.core.limits import client_ip
from server_stub.core.pages import Pages

from . import services
from .models import DeviceAuthorization

SESSION_KEY = "devflow_authorization"
CONFIRM = "/device/confirm"
# state -> (HTTP status, Ukrainian, English)
MESSAGES: dict[str, tuple[int, str, str]] = {
    "unknown": (404, "Такого коду немає. Перевірте код на екрані терміналу.",
                "There is no such code. Check the code on the terminal's screen."),
    "malformed": (400, "Код — це 8 латинських літер, наприклад BCDF-GHJK.",
                  "The code is 8 Latin letters, e.g. BCDF-GHJK."),
    "locked": (429, "Забагато невірних кодів. Спробуйте через 15 хвилин або введіть дані на терміналі.",
               "Too many wrong codes. Try again in 15 minutes or type your data at the terminal."),
    "expired": (410, "Час дії коду минув. Почніть знову на терміналі: він покаже новий код.",
                "The code has expired. Start again at the terminal: it will show a new code."),
    "used": (409, "Цей код уже використано. Кожен код діє один раз.",
             "This code has already been used. Each code works once."),
    "ended": (410, "Сеанс на терміналі вже завершено. Ваші дані нікому не передано.",
              "The session at the terminal has ended. Your data was not passed to anyone."),
    "revoked": (403, "Цей термінал відключено від міської системи. Не підтверджуйте; зверніться до працівника.",
                "This terminal has been disconnected from the city system. Do not approve; ask staff."),
    "approved": (200, "Готово. Поверніться до терміналу: ваші дані вже там.",
                 "Done. Go back to the terminal: your data is there."),
    "denied": (200, "Ви відмовили. Термінал не отримає ваших даних.",
               "You declined. The terminal will not get your data."),
    "nocode": (200, "Спершу введіть код з екрана терміналу.", "First enter the code from the terminal's screen."),
    "residents": (403, "Підтвердити може лише мешканець, що увійшов через BankID.",
                  "Only a resident signed in through BankID can approve."),
}

pages = Pages()


def _message(request: HttpRequest, state: str, **extra: Any) -> HttpResponse:
    status, uk, en = MESSAGES[state]
    return render(request, "devflow/device.html", {"step": "message", "state": state, "uk": uk, "en": en, **extra},
                  status=status)


def _resident(request: HttpRequest) -> Any:
    return getattr(request.user, "resident", None) if request.user.is_authenticated else None


@pages.route("device", name="device")
@require_http_methods(["GET", "POST"])
def enter(request: HttpRequest) -> HttpResponse:
    """Ask for the user code (prefilled from ``?user_code=``), check it, send to BankID."""
    if request.method == "GET":
        return render(request, "devflow/device.html", {"step": "enter",
                                                       "user_code": request.GET.get("user_code", "")[:20]})
    typed = request.POST.get("user_code", "")[:40]
    address = client_ip(request)
    if services.locked(address):
        return _message(request, "locked")
    code = services.normalize_user_code(typed)
    if code is None:
        return _message(request, "malformed", form=True, user_code=typed)
    row = services.by_user_code(code)
    if row is None:
        services.record_wrong_code(address)
        return _message(request, "unknown", form=True, user_code=typed)
    state = services.state(row, _resident(request))
    if state in ("approved", "denied"):
        state = "used"
    if state != "ok":
        return _message(request, state)
    request.session[SESSION_KEY] = row.pk
    return redirect(f"/auth/bankid/?next={CONFIRM}")


@pages.route("device/confirm", name="device-confirm")
@login_required(login_url="/auth/bankid/")
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """Which terminal asks and which data it will get; Approve or Deny (POST, CSRF)."""
    resident = _resident(request)
    if resident is None:
        return _message(request, "residents")
    pk = request.session.get(SESSION_KEY)
    row = (DeviceAuthorization.objects.select_related("terminal").filter(pk=pk).first()
           if isinstance(pk, int) else None)
    if row is None:
        return _message(request, "nocode")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("approve", "deny"):
            return _message(request, "nocode")
        result = services.decide(row.pk, resident, approve=action == "approve")
        if result in ("approved", "denied"):
            request.session.pop(SESSION_KEY, None)
        return redirect(f"/auth/bankid/?next={CONFIRM}") if result == "signin" else _message(request, result)
    state = services.state(row, resident)
    if state != "ok":
        return _message(request, state)
    if row.resident_id != resident.pk or not row.claims:      # signed in earlier, not for this code
        return redirect(f"/auth/bankid/?next={CONFIRM}")
    data = [(uk, en, row.claims.get(key)) for key, uk, en in services.DATA_FIELDS]
    return render(request, "devflow/device.html", {"step": "confirm", "terminal": row.terminal, "data": data,
                                                   "expires_at": row.expires_at})


def on_signed_in(sender: Any, request: HttpRequest, resident: Any, claims: dict[str, Any], **kwargs: Any) -> None:
    """BankID sign-in finished: if this session entered a user code, bind the identity to it."""
    pk = request.session.get(SESSION_KEY)
    if isinstance(pk, int):
        services.attach(pk, resident, claims)
