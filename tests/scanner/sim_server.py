"""Runs SanedSim over a fresh paper path and takes orders as JSON lines on stdin.

Test helper: the scanner simulator must live in its own process, because python-sane holds the
GIL while it waits for some of saned's answers (get/set option, close).

    python sim_server.py HOST PORT          -> prints {"ready": true, "endpoint": {...}}
    {"cmd": "feed", "sheets": [{"lines": [...], "label": ["text", "barcode", x_mm, y_mm]}]}
    {"cmd": "inject", "fault": "jam", "after_pages": 1}
    {"cmd": "clear", "fault": null}
    {"cmd": "reset"}          (clear every fault, give back every sheet)
    {"cmd": "state"}
    {"cmd": "quit"}
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

from hardware_sim.paper import PaperPath, ScanNoise, blank_page
from hardware_sim.saned import SanedSim


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    logging.basicConfig(level=logging.DEBUG if "-v" in sys.argv else logging.WARNING, stream=sys.stderr)
    paper = PaperPath(ScanNoise(max_skew_deg=0.5, noise_sigma=3.0, seed=7))
    sim = SanedSim(Path(tempfile.mkdtemp(prefix="saned-")), paper, host, port)
    sim.start()
    print(json.dumps({"ready": True, "endpoint": sim.endpoint()}), flush=True)
    for line in sys.stdin:
        order: dict[str, Any] = json.loads(line)
        cmd = order["cmd"]
        reply: dict[str, Any] = {"ok": True}
        if cmd == "feed":
            ids = []
            for sheet in order["sheets"]:
                ids.append(paper.feed_image(blank_page(sheet.get("lines")), "test sheet"))
                paper.take_from_tray()
                if sheet.get("label"):
                    paper.print_label(*sheet["label"])
                paper.pass_to_scanner()
            reply["ids"] = ids
        elif cmd == "inject":
            sim.inject(order["fault"], after_pages=float(order.get("after_pages", 0)))
        elif cmd == "clear":
            sim.clear(order.get("fault"))
        elif cmd == "reset":
            sim.clear()
            paper.return_sheets()
        elif cmd == "state":
            st = paper.state()
            reply["paper"] = {k: st[k] for k in ("scanner_input", "stacker")}
            reply["sim"] = sim.state()
        elif cmd == "quit":
            print(json.dumps(reply), flush=True)
            break
        print(json.dumps(reply), flush=True)
    sim.stop()


if __name__ == "__main__":
    main()
