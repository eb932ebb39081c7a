"""The test-bench page: server-rendered HTML, Ukrainian first with English, no JavaScript.

Every button is a form posting to the control API (which redirects back here). ``?refresh=5``
reloads the page every 5 s (off by default so that typing in a form is not interrupted).
"""

from __future__ import annotations

import json
import tomllib
import urllib.parse
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hardware_sim.bench import Bench

_NAMES = tomllib.loads(Path(__file__).with_name("control_page.toml").read_text(encoding="utf-8"))
DEVICE_NAMES: dict[str, tuple[str, str]] = {k: (uk, en) for k, (uk, en) in _NAMES["devices"].items()}
FAULT_NAMES: dict[str, tuple[str, str]] = {k: (uk, en) for k, (uk, en) in _NAMES["faults"].items()}
_SKIP_KEYS = {"device", "faults", "endpoint", "available"}

CSS = """
body{font-family:'DejaVu Sans',sans-serif;margin:0;background:#f4f5f7;color:#1c1c1c;font-size:15px}
header{background:#0b4f8a;color:#fff;padding:12px 20px}
header h1{margin:0;font-size:22px} header .en{color:#cfe0f0} header p{margin:4px 0 0;font-size:13px;opacity:.9}
main{padding:12px 20px}
section{background:#fff;border:1px solid #d5d9de;border-radius:6px;padding:10px 14px;margin:0 0 14px}
h2{font-size:18px;margin:0 0 8px} h2 small,.en{color:#5b6470;font-weight:normal}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:12px}
.dev{border:1px solid #d5d9de;border-radius:6px;padding:8px 10px}
.dev.ok{border-left:6px solid #2e8540} .dev.bad{border-left:6px solid #c62828} .dev.na{border-left:6px solid #999;opacity:.7}
.faults form{display:inline} button{font:inherit;font-size:13px;margin:2px;padding:3px 8px;border-radius:4px;
border:1px solid #8a94a0;background:#eef1f4;cursor:pointer}
button.on{background:#c62828;color:#fff;border-color:#8e1b1b}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{border-bottom:1px solid #e3e6ea;padding:3px 6px;
text-align:left;vertical-align:top} code{font-size:12px;word-break:break-all}
.msg{background:#fff8d6;border:1px solid #e0c84a;padding:6px 10px;border-radius:4px;margin-bottom:12px}
.receipts{display:flex;flex-wrap:wrap;gap:10px} .receipts figure{margin:0;border:1px solid #ccc;background:#fff;padding:4px}
.receipts img{width:220px} .pages img{height:160px;border:1px solid #ccc;margin:2px}
.kv{font-size:13px;color:#333} .kv b{color:#000}
"""


def _bi(uk: str, en: str) -> str:
    return f"{escape(uk)} <span class=en>/ {escape(en)}</span>"


def _file_url(bench: Bench, path: str | Path | None) -> str:
    if not path:
        return ""
    p = Path(path)
    try:
        rel = p.resolve().relative_to(bench.workdir)
    except ValueError:
        return ""
    return "/files/" + urllib.parse.quote(str(rel))


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return escape(text if len(text) <= 160 else text[:157] + "…")


def _device_card(name: str, st: dict[str, Any], faults: list[str]) -> str:
    uk, en = DEVICE_NAMES.get(name, (name, name))
    if not st.get("available"):
        return (f"<div class='dev na'><h2>{_bi(uk, en)}</h2><p>Недоступний / not available: "
                f"{escape(str(st.get('reason', '')))}</p></div>")
    active = set(st.get("faults") or [])
    cls = "bad" if active else "ok"
    status = (_bi("несправності: " + ", ".join(FAULT_NAMES.get(f, (f, f))[0] for f in sorted(active)),
                  "faults: " + ", ".join(sorted(active))) if active else _bi("справний", "ready"))
    buttons = []
    for f in faults:
        fuk, fen = FAULT_NAMES.get(f, (f, f))
        on = f in active
        action = "/api/clear" if on else "/api/fault"
        label = ("✕ " if on else "") + f"{fuk} / {fen}"
        buttons.append(
            f"<form method=post action='{action}'><input type=hidden name=device value='{name}'>"
            f"<input type=hidden name=fault value='{f}'><button class='{'on' if on else ''}' "
            f"title='{'зняти / clear' if on else 'увімкнути / inject'}'>{escape(label)}</button></form>")
    if active:
        buttons.append(f"<form method=post action='/api/clear'><input type=hidden name=device value='{name}'>"
                       f"<button>зняти всі / clear all</button></form>")
    endpoint = st.get("endpoint") or {}
    where = endpoint.get("link") or endpoint.get("uri") or (
        f"{endpoint.get('host')}:{endpoint.get('port')}" if endpoint.get("port") else "")
    details = "".join(f"<div><b>{escape(str(k))}</b>: {_short(v)}</div>"
                      for k, v in st.items() if k not in _SKIP_KEYS)
    return (f"<div class='dev {cls}' id='dev-{name}'><h2>{_bi(uk, en)}</h2><p>{status}</p>"
            f"<p class=kv><b>{escape(name)}</b> · <code>{escape(str(where))}</code></p>"
            f"<div class=faults>{''.join(buttons)}</div><details><summary>стан / state</summary>"
            f"<div class=kv>{details}</div></details></div>")


def _paper(st: dict[str, Any]) -> str:
    p = st["paper"]
    rows = [
        (_bi("Лоток", "Tray"), len(p["tray"])),
        (_bi("Станція етикетування", "Label station"), 1 if p["label_station"] else 0),
        (_bi("Вхід сканера", "Scanner input"), len(p["scanner_input"])),
        (_bi("Накопичувач", "Stacker"), len(p["stacker"])),
        (_bi("Повернуто мешканцю", "Returned to resident"), len(p["returned"])),
        (_bi("Бокс: комплектів / аркушів", "Bin: sets / sheets"), f"{p['bin']['sets']} / {p['bin']['sheets']}"),
    ]
    table = "".join(f"<tr><td>{k}</td><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return (f"<section id=paper><h2>{_bi('Шлях паперу', 'Paper path')}</h2><table>{table}</table>"
            "<form method=post action='/api/feed' enctype='multipart/form-data'>"
            f"<p>{_bi('Покласти аркуші в лоток (зображення PNG/JPEG)', 'Put sheets in the tray (PNG/JPEG images)')}: "
            "<input type=file name=file multiple accept='image/*'> "
            "<button>Подати / Feed</button></p></form>"
            "<form method=post action='/api/feed'><p>"
            f"{_bi('або чисті аркуші', 'or blank sheets')}: <input type=number name=blank value=1 min=1 max=50 "
            "style='width:4em'> <button>Подати / Feed</button></p></form></section>")


def _receipts(bench: Bench) -> str:
    items = []
    for r in reversed(bench.receipts()[-12:]):
        url = _file_url(bench, r.get("png"))
        img = f"<a href='{url}'><img src='{url}' alt='квитанція {escape(str(r.get('id')))}'></a>" if url else ""
        items.append(f"<figure>{img}<figcaption>№ {escape(str(r.get('id')))} · "
                     f"{escape(str(r.get('time', '')))}</figcaption></figure>")
    body = "".join(items) or f"<p>{_bi('Квитанцій ще немає', 'No receipts yet')}</p>"
    return (f"<section id=receipts><h2>{_bi('Квитанції', 'Receipts')} <small>(нові першими / newest first)"
            f"</small></h2><div class=receipts>{body}</div></section>")


def _sms(bench: Bench) -> str:
    rows = "".join(
        f"<tr><td>{escape(str(m.get('time', '')))}</td><td>{escape(str(m.get('to', '')))}</td>"
        f"<td>{escape(str(m.get('parts', '')))}</td><td>{escape(str(m.get('text', '')))}</td></tr>"
        for m in reversed(bench.sms()[-30:]))
    rows = rows or f"<tr><td colspan=4>{_bi('SMS ще не надсилались', 'No SMS sent yet')}</td></tr>"
    return (f"<section id=sms><h2>{_bi('Надіслані SMS', 'SMS sent')}</h2><table><tr><th>час / time</th>"
            f"<th>кому / to</th><th>частин / parts</th><th>текст / text</th></tr>{rows}</table></section>")


def _jobs(bench: Bench) -> str:
    rows = []
    for j in reversed(bench.jobs()[-10:]):
        pages = "".join(f"<a href='{_file_url(bench, p)}'><img src='{_file_url(bench, p)}' alt='сторінка'></a>"
                        for p in (j.get("pngs") or [])[:6] if _file_url(bench, p))
        pdf = _file_url(bench, j.get("pdf"))
        rows.append(f"<tr><td>{escape(str(j.get('id')))}</td><td>{escape(str(j.get('time', '')))}</td>"
                    f"<td>{escape(str(j.get('state', '')))}</td><td>{f'<a href={pdf!r}>PDF</a>' if pdf else ''}</td>"
                    f"<td class=pages>{pages}</td></tr>")
    body = "".join(rows) or f"<tr><td colspan=5>{_bi('Завдань друку ще немає', 'No print jobs yet')}</td></tr>"
    return (f"<section id=jobs><h2>{_bi('Завдання принтера бланків', 'Form printer jobs')}</h2><table><tr>"
            f"<th>№</th><th>час / time</th><th>стан / state</th><th>PDF</th><th>сторінки / pages</th></tr>"
            f"{body}</table></section>")


def _bin(bench: Bench) -> str:
    b = bench.bin()
    rows = []
    for i, entry in enumerate(b.get("contents", []), start=1):
        labels = "; ".join(lab.get("barcode", "") for s in entry["sheets"] for lab in s.get("labels", []))
        rows.append(f"<tr><td>{i}</td><td>{len(entry['sheets'])}</td>"
                    f"<td>{'так / yes' if entry.get('stapled') else 'ні / no'}</td><td>{escape(labels)}</td></tr>")
    body = "".join(rows) or f"<tr><td colspan=4>{_bi('Бокс порожній', 'The bin is empty')}</td></tr>"
    return (f"<section id=bin><h2>{_bi('Архівний бокс', 'Archive bin')} <small>{b.get('sets', 0)} / "
            f"{b.get('sheets', 0)}</small></h2><table><tr><th>комплект / set</th><th>аркушів / sheets</th>"
            f"<th>скріплено / stapled</th><th>штрихкоди / barcodes</th></tr>{body}</table>"
            "<form method=post action='/api/bin/empty'><p><button>Спорожнити бокс / Empty the bin</button></p>"
            "</form></section>")


def _barcode() -> str:
    return (f"<section id=barcode><h2>{_bi('Ручний зчитувач', 'Handheld reader')}</h2>"
            "<form method=post action='/api/barcode'><p><input name=code placeholder='0170001235-01' size=24 "
            "required> <button>Зчитати / Scan</button></p></form></section>")


def render_page(bench: Bench, message: str = "", refresh: int = 0) -> str:
    st = bench.state()
    cards = "".join(_device_card(name, dev, st["faults"].get(name, []))
                    for name, dev in st["devices"].items())
    meta = f"<meta http-equiv=refresh content='{max(refresh, 2)}'>" if refresh else ""
    msg = f"<div class=msg>{escape(message)}</div>" if message else ""
    return (
        "<!doctype html><html lang=uk><head><meta charset=utf-8>"
        f"<title>Випробувальний стенд / Test bench</title>{meta}<style>{CSS}</style></head><body>"
        f"<header><h1>{_bi('Випробувальний стенд терміналу звернень', 'Appeal terminal test bench')}</h1>"
        f"<p>{escape(str(bench.workdir))} · <a style='color:#fff' href='/?refresh=5'>автооновлення / "
        f"auto-refresh</a> · <a style='color:#fff' href='/'>без оновлення / no refresh</a> · "
        f"<a style='color:#fff' href='/api/state'>JSON</a></p></header><main>{msg}"
        f"<section id=devices><h2>{_bi('Пристрої та несправності', 'Devices and faults')}</h2>"
        f"<div class=grid>{cards}</div></section>"
        f"{_paper(st)}{_barcode()}{_receipts(bench)}{_sms(bench)}{_jobs(bench)}{_bin(bench)}"
        "</main></body></html>"
    )
