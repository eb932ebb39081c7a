"""Words for the resident: every fault and wait as a plain sentence and what to do next,
Ukrainian first. The technician's view and the logs keep the device detail; this module is the
one place that maps error codes to words (the UI, kioskctl and the tests read it)."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import DeviceError


@dataclass(frozen=True)
class Message:
    code: str
    uk: str
    en: str
    action_uk: str = ""
    action_en: str = ""
    staff: bool = False          # the resident cannot fix it: a technician is called

    def text(self, lang: str = "uk", sheet: int | None = None) -> str:
        """The sentence and what to do; ``{sheet}`` in it becomes the sheet's number."""
        main, action = (self.uk, self.action_uk) if lang == "uk" else (self.en, self.action_en)
        out = f"{main} {action}".strip()
        if "{sheet}" in out:
            out = out.replace("{sheet}", str(sheet) if sheet is not None else "?")
        return out


_CALLED = ("Технік уже отримав повідомлення.", "A technician has been notified.")

# (device, code) -> message; device "*" matches any device.
_MESSAGES: dict[tuple[str, str], Message] = {
    ("receipt_printer", "paper_out"): Message(
        "receipt_paper_out", "У принтері чеків закінчився папір.", "The receipt printer is out of paper.",
        "Ваше звернення збережено: запишіть або сфотографуйте номер на екрані. Чек можна надрукувати пізніше на будь-якому терміналі.",
        "Your appeal is saved: write down or photograph the number on the screen. The receipt can be reprinted later at any terminal.",
        staff=True),
    ("receipt_printer", "cover_open"): Message(
        "receipt_cover_open", "Відкрита кришка принтера чеків.", "The receipt printer's cover is open.",
        "Ваше звернення збережено: запишіть номер на екрані.", "Your appeal is saved: write down the number on the screen.", staff=True),
    ("receipt_printer", "offline"): Message(
        "receipt_offline", "Принтер чеків не відповідає.", "The receipt printer does not respond.",
        "Ваше звернення збережено: запишіть номер на екрані.", "Your appeal is saved: write down the number on the screen.", staff=True),
    ("form_printer", "paper_out"): Message(
        "form_paper_out", "У принтері бланків закінчився папір.", "The form printer is out of paper.",
        "Ви можете написати звернення на власному аркуші і подати його.", "You can write the appeal on your own sheet and submit it.", staff=True),
    ("form_printer", "jam"): Message(
        "form_jam", "Папір застряг у принтері бланків.", "Paper is stuck in the form printer.",
        "Ви можете написати звернення на власному аркуші і подати його.", "You can write the appeal on your own sheet and submit it.", staff=True),
    ("form_printer", "offline"): Message(
        "form_offline", "Принтер бланків не відповідає.", "The form printer does not respond.",
        "Ви можете написати звернення на власному аркуші і подати його.", "You can write the appeal on your own sheet and submit it.", staff=True),
    ("scanner", "jam"): Message(
        "scanner_jam", "Аркуш {sheet} застряг у сканері.", "Sheet {sheet} is stuck in the scanner.",
        "Відкрийте кришку, вийміть аркуш {sheet}, вирівняйте його і покладіть назад у подавач; закрийте кришку і натисніть «Продовжити». Уже відскановані аркуші збережено.",
        "Open the cover, take sheet {sheet} out, smooth it and put it back in the feeder; close the cover and press Continue. The sheets already scanned are kept."),
    ("scanner", "double_feed"): Message(
        "scanner_double_feed", "Сканер захопив два аркуші разом.", "The scanner took two sheets at once.",
        "Вийміть аркуші з лотка, розправте їх і покладіть знову.", "Take the sheets out of the tray, separate them and put them back."),
    ("scanner", "cover_open"): Message(
        "scanner_cover_open", "Відкрита кришка сканера.", "The scanner's cover is open.",
        "Закрийте кришку і натисніть «Продовжити».", "Close the cover and press Continue."),
    ("scanner", "unplugged"): Message(
        "scanner_unplugged", "Сканер перестав відповідати.", "The scanner stopped responding.",
        "Заберіть свої аркуші: приймання звернень тимчасово неможливе.", "Please take your sheets back: appeals cannot be accepted right now.", staff=True),
    ("scanner", "feeder_empty"): Message(
        "feeder_empty", "Лоток порожній.", "The tray is empty.",
        "Покладіть аркуші текстом донизу і натисніть «Продовжити».", "Put your sheets in, text face down, and press Continue."),
    ("intake", "jam"): Message(
        "intake_jam", "Аркуш {sheet} застряг у механізмі подачі.", "Sheet {sheet} is stuck in the feeder.",
        "Відкрийте дверцята, вийміть аркуш {sheet}, покладіть його зверху в лоток і натисніть «Продовжити». Уже відскановані аркуші збережено.",
        "Open the door, take sheet {sheet} out, put it on top of the tray and press Continue. The sheets already scanned are kept."),
    ("intake", "door_open"): Message(
        "intake_door_open", "Відкриті дверцята механізму подачі.", "The feeder's door is open.",
        "Закрийте дверцята і натисніть «Продовжити».", "Close the door and press Continue."),
    ("intake", "staples_out"): Message(
        "staples_out", "Закінчилися скоби.", "The stapler is out of staples.",
        "Ваше звернення прийнято: аркуші покладено в архів без скріплення.", "Your appeal is accepted: the sheets went to the archive unstapled.", staff=True),
    ("intake", "bin_full"): Message(
        "bin_full", "Архівна скринька заповнена.", "The archive box is full.",
        "Ваше звернення прийнято; аркуші залишаються в терміналі до приходу техніка.", "Your appeal is accepted; the sheets stay in the terminal until a technician comes.", staff=True),
    ("intake", "tray_empty"): Message(
        "tray_empty", "У лотку немає аркушів.", "There are no sheets in the tray.",
        "Покладіть підписане звернення в лоток текстом донизу.", "Put your signed appeal in the tray, text face down."),
    ("*", "label_unreadable"): Message(
        "label_unreadable", "Не вдалося перевірити мітку на аркуші.", "The label on a sheet could not be checked.",
        "Термінал поверне аркуші; покладіть їх знову, щоб наклеїти мітку ще раз.",
        "The terminal will return the sheets; put them back in to label them again."),
    ("*", "label_mismatch"): Message(
        "label_mismatch", "Мітка на аркуші не відповідає номеру звернення.", "A sheet's label does not match the appeal number.",
        "Термінал поверне аркуші; покладіть їх знову.", "The terminal will return the sheets; put them back in.", staff=True),
    ("*", "too_many_sheets"): Message(
        "too_many_sheets", "Забагато аркушів для одного звернення.", "Too many sheets for one appeal.",
        "Розділіть документи на кілька звернень або додайте їх пізніше за номером.", "Split them into several appeals or add them later by number."),
    ("*", "timeout"): Message("device_timeout", "Пристрій не відповідає.", "A device does not respond.", *_CALLED, staff=True),
    ("*", "offline"): Message("device_offline", "Пристрій недоступний.", "A device is unavailable.", *_CALLED, staff=True),
    ("*", "not_found"): Message("device_missing", "Пристрій не знайдено.", "A device was not found.", *_CALLED, staff=True),
}

GENERIC = Message("device_error", "Сталася несправність пристрою.", "A device fault occurred.", *_CALLED, staff=True)


def for_code(device: str, code: str) -> Message:
    return _MESSAGES.get((device, code)) or _MESSAGES.get(("*", code)) or GENERIC


def for_error(err: BaseException, device: str = "") -> Message:
    if isinstance(err, DeviceError):
        return for_code(err.device or device, err.code)
    return GENERIC


# Waits and steps the resident sees, by step name.
STEPS: dict[str, tuple[str, str]] = {
    "feed": ("Беру аркуш {sheet} з {total}…", "Taking sheet {sheet} of {total}…"),
    "label": ("Друкую мітку на аркуші {sheet}…", "Labelling sheet {sheet}…"),
    "scan": ("Сканую аркуш {sheet} з {total}…", "Scanning sheet {sheet} of {total}…"),
    "verify": ("Перевіряю мітку аркуша {sheet}…", "Checking the label of sheet {sheet}…"),
    "build": ("Складаю документ…", "Building the document…"),
    "commit": ("Зберігаю звернення…", "Saving the appeal…"),
    "receipt": ("Друкую чек…", "Printing the receipt…"),
    "archive": ("Скріплюю аркуші і кладу в архів…", "Stapling the sheets into the archive…"),
    "done": ("Готово. Заберіть чек.", "Done. Please take your receipt."),
}
