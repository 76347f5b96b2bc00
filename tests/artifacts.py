"""Figures the reliability tests leave in test-artifacts/reliability/ for docs/reliability.md."""
from __future__ import annotations

import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "reliability"


def record(file_name: str, name: str, data) -> None:
    """Adds (or replaces) one named figure in a JSON file of figures."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / file_name
    try:
        current = json.loads(path.read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        current = {}
    current[name] = data
    path.write_text(json.dumps(current, indent=1, ensure_ascii=False), "utf-8")
