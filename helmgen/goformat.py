"""Go's `%v` formatting of scalars, used where istioctl formats a value and parses it again."""
from __future__ import annotations

import math
from typing import Any


def go_format(value: Any) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64): shortest digits, exponent form when exp < -4 or >= 6 (fmt's %v)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    digits = repr(abs(f))
    sign = "-" if f < 0 else ""
    # shortest round-trip digits and exponent
    if "e" in digits:
        m, e = digits.split("e")
        digs, exp = m.replace(".", ""), int(e) + (len(m.split(".")[0]) - 1)
    else:
        ip, _, fp = digits.partition(".")
        fp = fp.rstrip("0")
        if ip != "0":
            digs, exp = (ip + fp).rstrip("0") or "0", len(ip) - 1
        else:
            stripped = fp.lstrip("0")
            digs, exp = stripped, -(len(fp) - len(stripped)) - 1
    digs = digs.lstrip("0") or "0"
    if exp < -4 or exp >= 6:
        body = digs[0] + ("." + digs[1:] if len(digs) > 1 else "")
        return f"{sign}{body}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digs}"
    if len(digs) <= exp + 1:
        return f"{sign}{digs}{'0' * (exp + 1 - len(digs))}"
    return f"{sign}{digs[:exp + 1]}.{digs[exp + 1:]}"


_GO_ONLY_BOOLS = r"^(?:y|Y|n|N)$"   # booleans to go-yaml v2 (Helm, kubectl), plain strings to PyYAML


def quote_go_booleans(dumper: type) -> type:
    """Make a PyYAML dumper quote the strings y, Y, n and N, which Go's YAML readers take for booleans (PyYAML
    quotes the other YAML 1.1 booleans, yes/no/on/off, already). Returns the dumper."""
    import re

    dumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(_GO_ONLY_BOOLS), list("yYnN"))
    return dumper
