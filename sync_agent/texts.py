"""What the resident reads in an SMS: Ukrainian (UCS-2), at most three parts (201 characters).

No name, no phone number, nothing but the appeal number, what happened and where to get the
answer: a reprint at any terminal with the receipt, or the status link.
"""

from __future__ import annotations

from kiosk_app.core.numbering import parse

MAX_CHARS = 3 * 67          # three concatenated UCS-2 parts


def _display(document_id: str) -> str:
    try:
        return parse(document_id).display
    except ValueError:
        return document_id


def _link(status_url: str, document_id: str) -> str:
    url = status_url.format(number=document_id)
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return url[len(scheme):]
    return url


def registered(document_id: str, registration_index: str | None, status_url: str) -> str:
    idx = f" (реєстр. № {registration_index})" if registration_index else ""
    text = (f"Звернення {_display(document_id)} зареєстровано{idx}. Відповідь надійде SMS; "
            f"статус: {_link(status_url, document_id)}")
    return _fit(text)


def answer(document_id: str, status_url: str) -> str:
    text = (f"Надано відповідь на звернення {_display(document_id)}. Роздрукуйте її в будь-якому "
            f"терміналі з квитанцією або див. {_link(status_url, document_id)}")
    return _fit(text)


def _fit(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
