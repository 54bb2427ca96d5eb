"""The values reference of our charts, from their values.schema.json and their defaults (files/defaults.yaml, which
the charts lay under the release's values at render time; api.chart_defaults reads it) (pure): one table per chart,
a row per value (path, type, default, description), nested objects expanded where the schema declares their keys."""
from __future__ import annotations

import json
from typing import Any

_MISSING = object()


def _type(schema: dict) -> str:
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " or ".join(k for k in kinds if k != "null") + (" (null clears)" if "null" in kinds else "")
    if kinds:
        return str(kinds)
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    return "any"


def _default(value: Any) -> str:
    if value is _MISSING:
        return ""
    text = json.dumps(value, sort_keys=True)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`".replace("|", "\\|")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _rows(schema: dict, defaults: Any, path: str) -> list[str]:
    rows = []
    for key in sorted(schema.get("properties") or {}):
        sub = schema["properties"][key]
        where = f"{path}.{key}" if path else key
        default = defaults.get(key, _MISSING) if isinstance(defaults, dict) else _MISSING
        nested = sub.get("properties")
        rows.append(f"| `{where}` | {_type(sub)} | {'' if nested else _default(default)} | "
                    f"{_cell(sub.get('description', ''))} |")
        if nested:
            rows += _rows(sub, default if isinstance(default, dict) else {}, where)
    return rows


def values_reference(chart: str, schema: dict, defaults: dict) -> list[str]:
    """Markdown lines: the chart's heading, its description and its values table."""
    return [f"### {chart}", "", _cell(schema.get("description", "")), "",
            "| value | type | default | description |", "| --- | --- | --- | --- |",
            *_rows(schema, defaults or {}, ""), ""]
