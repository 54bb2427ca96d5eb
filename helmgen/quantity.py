"""Kubernetes resource quantities: parse and print in canonical form (as `resource.Quantity` does)."""
from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal

_RE = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


class QuantityError(ValueError):
    pass


def canonical(value: str | int | float) -> str:
    """Canonical string of a quantity: `1000m` -> `1`, `0.5` -> `500m`, `2048Mi` -> `2Gi`."""
    text = str(value).strip() if not isinstance(value, float) else repr(value)
    m = _RE.match(text)
    if not m:
        raise QuantityError(f"quantity {text!r} does not match the Kubernetes quantity syntax")
    number, suffix = Decimal(m.group(1)), m.group(2) or ""
    if suffix in _BINARY:
        amount = number * (Decimal(2) ** _BINARY[suffix])
        if amount == amount.to_integral_value() and amount >= 0:
            return _binary(int(amount))
        return _decimal_si(amount)
    if suffix[:1] in ("e", "E"):
        amount = number.scaleb(int(suffix[1:]))
        return _decimal_exponent(amount)
    return _decimal_si(number.scaleb(_DECIMAL[suffix]))


def _nano(amount: Decimal) -> Decimal:
    return (amount * Decimal(10) ** 9).to_integral_value(rounding=ROUND_CEILING) / Decimal(10) ** 9


def _decimal_si(amount: Decimal) -> str:
    amount = _nano(amount)
    if amount == 0:
        return "0"
    for suffix, exp in sorted(_DECIMAL.items(), key=lambda kv: -kv[1]):
        scaled = amount.scaleb(-exp)
        if scaled == scaled.to_integral_value():
            return f"{int(scaled)}{suffix}"
    return f"{int(amount.scaleb(9))}n"


def _decimal_exponent(amount: Decimal) -> str:
    amount = _nano(amount)
    if amount == 0:
        return "0"
    exp = 0
    while amount == amount.to_integral_value() and amount % 10 == 0:
        amount /= 10
        exp += 1
    while amount != amount.to_integral_value():
        amount *= 10
        exp -= 1
    exp3 = exp - exp % 3
    mant = int(amount) * 10 ** (exp - exp3)
    return f"{mant}e{exp3}" if exp3 else str(mant)


def _binary(amount: int) -> str:
    if amount == 0:
        return "0"
    if amount % 1024 != 0 and amount < 1024:
        return _decimal_si(Decimal(amount))
    suffix, power = "", 0
    for name, p in sorted(_BINARY.items(), key=lambda kv: kv[1]):
        if amount % (2 ** p) == 0:
            suffix, power = name, p
    if not suffix:
        return _decimal_si(Decimal(amount))
    return f"{amount >> power}{suffix}"


def is_zero(value: str | int | float) -> bool:
    return canonical(value) == "0"
