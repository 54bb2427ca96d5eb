"""`--set PATH=VALUE`: splitting and value typing exactly as istioctl does (facts 1.3)."""
from __future__ import annotations

import re
from typing import Any

# Paths (with the `spec.` prefix) whose values always stay the raw string.
ALWAYS_STRING = (
    "spec.values.compatibilityVersion",
    "spec.tag",
    "spec.values.global.tag",
    "spec.meshConfig.defaultConfig.proxyMetadata.",
    "spec.values.meshConfig.defaultConfig.proxyMetadata.",
    "spec.compatibilityVersion",
)

_INT = re.compile(r"[+-]?\d+")
_DEC_FLOAT = re.compile(r"[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+(_\d+)*)?")
_SPECIAL_FLOAT = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)
_HEX_FLOAT = re.compile(r"[+-]?0[xX]([0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?\d+")
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def split_set(text: str) -> tuple[str, str]:
    """`a.b=c=d` -> ("a.b", "c=d"); no `=` sets the path to the empty string."""
    path, sep, value = text.partition("=")
    return path.strip(), value.strip() if sep else ""


def parse_value(full_path: str, raw: str) -> Any:
    """Type a --set value like istioctl: int, then float, then bool, else string (with `\\,` -> `,`)."""
    if full_path.startswith(ALWAYS_STRING):
        return raw
    if _INT.fullmatch(raw) and -(2 ** 63) <= int(raw) < 2 ** 63:
        return int(raw)
    if _DEC_FLOAT.fullmatch(raw) and ("_" not in raw):
        return float(raw)
    if _SPECIAL_FLOAT.fullmatch(raw):
        return float(raw)
    if _HEX_FLOAT.fullmatch(raw):
        return float.fromhex(raw.replace("_", ""))
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    return raw.replace("\\,", ",")
