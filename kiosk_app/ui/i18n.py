"""Every word on the screens, Ukrainian first, English second (a simple catalogue: key -> (uk, en)).

Fault and wait texts are not here: they come from :mod:`kiosk_app.core.messages`, the one place
that maps device errors to words. ``tr(key, lang, **fields)`` formats with ``str.format``.
"""

from __future__ import annotations

LANGS = ("uk", "en")

T: dict[str, tuple[str, str]] = {
    # chrome
    "app.title": ("Термінал звернень", "Appeal terminal"),
    "lang.switch": ("English", "Українська"),
    "step": ("Крок {n} з {total}", "Step {n} of {total}"),
    "back": ("← Назад", "← Back"),
    "next": ("Далі →", "Next →"),
    "home": ("На головну", "Start again"),
    "cancel": ("Скасувати", "Cancel"),
    "continue": ("Продовжити", "Continue"),
    "speak": ("Озвучити", "Read aloud"),
    "skip": ("Немає", "I have none"),
    "optional": ("Можна пропустити.", "You may skip this."),
    "hc": ("Високий контраст", "High contrast"),
    "large": ("Великий шрифт", "Large text"),
    "speech": ("Озвучувати екрани", "Read screens aloud"),
    "on": ("увімкнено", "on"),
    "off": ("вимкнено", "off"),
    "service.enter": ("Для техніка", "Technician"),
    "kb.layout": ("EN", "УКР"),
    "kb.shift": ("⇧ Великі", "⇧ Shift"),
    "kb.space": ("Пробіл", "Space"),
    "kb.back": ("⌫ Стерти", "⌫ Delete"),
    "pad.clear": ("Очистити", "Clear"),
    # welcome
    "welcome.title": ("Вітаємо! Що ви хочете зробити?", "Welcome! What would you like to do?"),
    "welcome.body": ("Торкніться кнопки. Озвучення: будь-яка клавіша або навушники.",
                     "Touch a button. Speech: any key, or headphones."),
    "flow.submit": ("Подати звернення", "Submit an appeal"),
    "flow.form": ("Надрукувати бланк звернення", "Print an appeal form"),
    "flow.add": ("Додати документи до звернення", "Add documents to an appeal"),
    "flow.status": ("Дізнатися відповідь або стан", "Get an answer or a status"),
    # identity steps
    "surname.title": ("Ваше прізвище", "Your surname"),
    "surname.body": ("Українськими літерами, як у паспорті.", "In Ukrainian letters, as in your passport."),
    "name.title": ("Ваше ім'я", "Your first name"),
    "name.body": ("Українськими літерами.", "In Ukrainian letters."),
    "patronymic.title": ("Ваше по батькові", "Your patronymic"),
    "patronymic.body": ("Якщо немає, натисніть «Немає».", "If you have none, press \"I have none\"."),
    "address.title": ("Де ви проживаєте?", "Where do you live?"),
    "address.body": ("Населений пункт, вулиця, будинок, квартира.", "Town, street, house, flat."),
    "idtype.title": ("Як вас ідентифікувати?", "How shall we identify you?"),
    "idtype.body": ("Податковий номер (РНОКПП) або, якщо ви від нього відмовилися, паспорт.",
                    "Your taxpayer number (РНОКПП), or your passport if you have refused one."),
    "idtype.rnokpp": ("РНОКПП (10 цифр)", "Taxpayer number (10 digits)"),
    "idtype.passport": ("Паспорт", "Passport"),
    "rnokpp.title": ("Ваш РНОКПП", "Your taxpayer number"),
    "rnokpp.body": ("10 цифр. На екрані номер буде приховано.", "10 digits. The number is hidden on screen afterwards."),
    "passport.title": ("Серія і номер паспорта", "Passport series and number"),
    "passport.body": ("Дві літери і шість цифр (МК123456) або 9 цифр ID-картки.",
                      "Two letters and six digits (МК123456), or the 9 digits of an ID card."),
    "kind.title": ("Що ви подаєте?", "What are you submitting?"),
    "kind.body": ("Оберіть вид звернення.", "Choose the kind of appeal."),
    "kind.application": ("Заява (клопотання)", "Application (request)"),
    "kind.proposal": ("Пропозиція (зауваження)", "Proposal (remark)"),
    "kind.complaint": ("Скарга", "Complaint"),
    "sms.title": ("Надіслати SMS, коли буде відповідь?", "Send an SMS when the answer is ready?"),
    "sms.body": ("Безкоштовно. Потрібен український мобільний номер.", "Free of charge. A Ukrainian mobile number is needed."),
    "sms.yes": ("Так, надіслати SMS", "Yes, send an SMS"),
    "sms.no": ("Ні, дякую", "No, thank you"),
    "phone.title": ("Ваш мобільний номер", "Your mobile number"),
    "phone.body": ("Наприклад 067 123 45 67.", "For example 067 123 45 67."),
    # docs/consent.md says the same in full; change both and CONSENT_TEXT_VERSION together
    "consent.title": ("Згода на обробку персональних даних", "Consent to processing personal data"),
    "consent.body": ("Ваші дані (імʼя, адреса, РНОКПП або паспорт, телефон, e-mail) і скани аркушів потрібні лише "
                     "для розгляду звернення (Закон «Про звернення громадян»). Термінал передає їх до міської ради, "
                     "зберігає, доки рада не зареєструє звернення, і ще 30 днів, потім видаляє. Відповідь ради "
                     "зберігається в терміналі для друку за кодом із чека, доки її не надрукують, і не довше 30 днів. "
                     "Номер і стан звернення залишаються, "
                     "без особистих даних.",
                     "Your data (name, address, tax number or passport, phone, e-mail) and the scans of your sheets "
                     "are used only to consider your appeal (Law \"On citizens' appeals\"). The terminal passes them "
                     "to the city council and keeps them until the council has registered the appeal and 30 days "
                     "more, then deletes them. The council's answer is kept on the terminal, to be printed with "
                     "your receipt's code, until it is printed and at most 30 days. The appeal's number and "
                     "status stay, without personal data."),
    "consent.yes": ("Я даю згоду", "I agree"),
    "summary.title": ("Перевірте, будь ласка", "Please check"),
    "summary.body": ("Якщо щось неправильно, натисніть «Назад».", "If anything is wrong, press Back."),
    "summary.ok": ("Усе правильно", "Everything is correct"),
    "f.name": ("ПІБ", "Name"),
    "f.address": ("Адреса", "Address"),
    "f.identity": ("Документ", "Document"),
    "f.kind": ("Вид", "Kind"),
    "f.sms": ("SMS", "SMS"),
    "f.parent": ("До звернення", "Added to appeal"),
    "no": ("ні", "no"),
    # sheets
    "tray.title": ("Покладіть підписані аркуші в лоток", "Put your signed sheets in the tray"),
    "tray.body": ("Текстом донизу, верхнім краєм уперед. Потім натисніть «Почати».",
                  "Text face down, top edge first. Then press Start."),
    "tray.start": ("Почати", "Start"),
    "scan.title": ("Приймаю аркуші", "Taking your sheets"),
    "scan.body": ("Будь ласка, зачекайте. Аркуші з'являтимуться тут.", "Please wait. Your sheets will appear here."),
    "sheets.title": ("Відскановано аркушів: {n}", "Sheets scanned: {n}"),
    "sheets.body": ("Перевірте аркуші і підтвердьте подання.", "Check the sheets and confirm."),
    "sheets.confirm": ("Підтвердити і подати", "Confirm and submit"),
    "saving.title": ("Зберігаю звернення", "Saving your appeal"),
    "fault.title": ("Потрібна ваша дія", "Your action is needed"),
    "fault.staff": ("Потрібен технік", "A technician is needed"),
    "number.title": ("Звернення прийнято", "Your appeal is accepted"),
    "number.body": ("Ваш номер:", "Your number:"),
    "number.deadline": ("Відповідь — до {date}.", "Answer by {date}."),
    "number.take": ("Заберіть чек із принтера.", "Take your receipt from the printer."),
    "number.done": ("Я забрав(ла) чек", "I took my receipt"),
    "number.added": ("Документи додано до звернення № {parent}.", "Documents added to appeal No {parent}."),
    # form
    "form.printing": ("Друкую бланк…", "Printing the form…"),
    "form.done.title": ("Бланк надруковано", "The form is printed"),
    "form.done.body": ("Заберіть бланк. Напишіть звернення, підпишіть і поставте дату, "
                       "потім подайте його тут: «Подати звернення».",
                       "Take the form. Write your appeal, sign and date it, then submit it here: \"Submit an appeal\"."),
    # add / status
    "parent.title": ("Номер звернення", "The appeal number"),
    "parent.body": ("Введіть номер з чека або піднесіть чек штрихкодом до сканера.",
                    "Type the number from the receipt, or hold the receipt's barcode to the reader."),
    "lookup.title": ("Номер і код доступу з чека", "Receipt number and access code"),
    "lookup.body": ("Номер і код з чека (017-000123-4 K7M2Q-9XH4T) або QR-код чека до сканера.",
                    "Number and code from the receipt (017-000123-4 K7M2Q-9XH4T), or its QR code to the reader."),
    "lookup.need_code": ("Допишіть після номера код доступу з чека.",
                         "Add the receipt's access code after the number."),
    "lookup.denied": ("Потрібен правильний код доступу з чека. Залишилось спроб: {n}.",
                      "The right access code from the receipt is needed. Tries left: {n}."),
    "lookup.locked": ("Забагато невірних кодів. Спробуйте пізніше або зверніться до працівника.",
                      "Too many wrong codes. Please try later or ask staff."),
    "lookup.searching": ("Шукаю…", "Looking it up…"),
    "status.title": ("Звернення № {number}", "Appeal No {number}"),
    "status.state": ("Стан: {words}.", "Status: {words}."),
    "status.deadline": ("Строк відповіді: до {date}.", "Answer due by {date}."),
    "status.answer": ("Відповідь на звернення надано.", "The appeal has been answered."),
    "status.print": ("Надрукувати довідку", "Print a status slip"),
    "status.print_answer": ("Надрукувати відповідь", "Print the answer"),
    "status.answer_printed": ("Відповідь надруковано на принтері аркушів. Заберіть її.",
                              "The answer was printed on the sheet printer. Please take it."),
    "status.printed": ("Надруковано. Заберіть чек.", "Printed. Please take the slip."),
    "status.unknown": ("Такого звернення в цьому терміналі не знайдено. Перевірте номер.",
                       "No such appeal at this terminal. Please check the number."),
    # idle
    "idle.warn": ("Ви ще тут? Сеанс завершиться через {s} с, ваші дані буде стерто.",
                  "Are you still there? The session ends in {s} s and your data will be erased."),
    "idle.stay": ("Залишитися", "Stay"),
    "wait": ("Зачекайте…", "Please wait…"),
    "error.generic": ("Сталася помилка. Спробуйте ще раз або зверніться до техніка.",
                      "Something went wrong. Try again or ask staff."),
    # service
    "pin.title": ("Сервісний режим", "Service mode"),
    "pin.body": ("Введіть PIN техніка.", "Enter the technician's PIN."),
    "pin.wrong": ("Неправильний PIN. Залишилось спроб: {n}.", "Wrong PIN. Attempts left: {n}."),
    "pin.locked": ("Заблоковано на {s} с.", "Locked for {s} s."),
    "pin.unset": ("PIN не налаштовано (kioskctl set-pin).", "No PIN is set (kioskctl set-pin)."),
    "svc.title": ("Сервіс: пристрої і черга", "Service: devices and queue"),
    "svc.refresh": ("Оновити", "Refresh"),
    "svc.test_print": ("Тестовий друк", "Test print"),
    "svc.test_scan": ("Тестове сканування", "Test scan"),
    "svc.empty_box": ("Спорожнити скриньку", "Empty the box"),
    "svc.exit": ("До режиму мешканця", "Back to resident mode"),
    # the tactile keypad and headphones (spoken mode)
    "kp.start": ("Голосовий режим увімкнено. Стрілки вибирають, зелена кнопка Enter підтверджує, червона "
                 "скасовує, жовта стирає, знак питання повторює екран, плюс і мінус змінюють гучність.",
                 "Spoken mode is on. Arrows choose, the green Enter key confirms, the red key cancels, the yellow "
                 "key clears, the question mark repeats the screen, plus and minus change the volume."),
    "kp.no_headphones": ("Навушників немає: ваші особисті дані вголос не читатимуться. Під'єднайте навушники до "
                         "гнізда праворуч від клавіатури.",
                         "No headphones: your personal data will not be read aloud. Plug headphones into the "
                         "socket to the right of the keypad."),
    "kp.headphones_in": ("Навушники під'єднано.", "Headphones connected."),
    "kp.headphones_out": ("Навушники від'єднано: особисті дані більше не читаються вголос.",
                          "Headphones disconnected: personal data is no longer read aloud."),
    "kp.private": ("Особисті дані озвучуються лише в навушники.", "Personal data is read only into headphones."),
    "kp.volume": ("Гучність {n} відсотків.", "Volume {n} percent."),
    "kp.cleared": ("Стерто", "Deleted"),
    "kp.typed": ("Введено символ", "Character typed"),
    "kp.field": ("Поле введення", "Text field"),
    "kp.enter": ("Enter", "Enter"),
    "kp.cancel": ("Скасувати", "Cancel"),
    "kp.space": ("пробіл", "space"),
    "kp.dash": ("дефіс", "dash"),
    "kp.dot": ("крапка", "dot"),
    "kp.comma": ("кома", "comma"),
    "kp.apostrophe": ("апостроф", "apostrophe"),
}


def tr(key: str, lang: str = "uk", **fields: object) -> str:
    uk, en = T[key]
    text = uk if lang == "uk" else en
    return text.format(**fields) if fields else text
