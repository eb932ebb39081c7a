"""Demo budget (three years, both funds) and repairs (illustrative figures, not the city's real budget)."""

from __future__ import annotations

from . import services
from .models import BudgetLine

BUDGET = """year,kind,fund,code,name,sector,plan,executed
{rows}"""
LINES = [("revenue", "general", "11010000", "Податок на доходи фізичних осіб", "Податки", 5200, 5100),
         ("revenue", "general", "18010000", "Податок на майно", "Податки", 900, 870),
         ("revenue", "general", "41000000", "Офіційні трансферти", "Трансферти", 1400, 1400),
         ("revenue", "special", "19010000", "Екологічний податок", "Податки", 60, 55),
         ("expense", "general", "0611010", "Надання дошкільної освіти", "Освіта", 1500, 1450),
         ("expense", "general", "0611021", "Надання загальної середньої освіти", "Освіта", 2100, 2050),
         ("expense", "general", "0712010", "Багатопрофільна стаціонарна медична допомога", "Охорона здоров'я", 900, 860),
         ("expense", "general", "0813241", "Забезпечення діяльності інших закладів соцзахисту", "Соціальний захист", 700, 690),
         ("expense", "special", "1216030", "Організація благоустрою населених пунктів", "Житлово-комунальне господарство", 1300, 1100),
         ("expense", "special", "1217461", "Утримання та розвиток автомобільних доріг", "Транспорт і дороги", 1600, 1250)]
REPAIRS = """title,address,lat,lon,cost,status,prozorro_id
Капітальний ремонт покрівлі школи № 23,вул. Робоча 12,48.4412,35.0121,4200000,триває,UA-2026-03-14-000123-a
Ремонт дороги,просп. Поля 10,48.4521,35.0502,12800000,завершено,UA-2026-02-01-004567-b
Облаштування скверу,вул. Січеславська 5,48.4649,35.0471,950000,заплановано,
"""


def load_demo() -> None:
    if BudgetLine.objects.exists():
        return
    rows = []
    for year, k in ((2024, 0.9), (2025, 0.96), (2026, 1.0)):
        for kind, fund, code, name, sector, plan, done in LINES:
            rows.append(f"{year},{kind},{fund},{code},\"{name}\",\"{sector}\",{plan * k * 1e6:.2f},{done * k * 1e6:.2f}")
    services.import_budget(BUDGET.format(rows="\n".join(rows)))
    services.import_repairs(REPAIRS)
