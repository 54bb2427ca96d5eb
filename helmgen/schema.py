"""Chart values against the chart's values.schema.json (draft-07): all issues, sorted by path."""
from __future__ import annotations

from typing import Any, Callable

from helmgen.errors import Problem, Severity
from helmgen.paths import Path, format_path

Origin = Callable[[Path], Path]  # chart value path -> the IstioOperator path it came from


def schema_problems(schema: dict, values: dict, release: str, origin: Origin) -> list[Problem]:
    from jsonschema import Draft7Validator  # imported here: only translation/validation pays for it

    problems = []
    for err in Draft7Validator(schema).iter_errors(without_nulls(values)):
        vpath: Path = tuple(err.absolute_path)
        message = _message(err)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {}))
            for extra in sorted(k for k in err.instance if k not in allowed):
                problems.append(_problem(vpath + (extra,), "is not a value of this chart", release, origin))
            continue
        problems.append(_problem(vpath, message, release, origin))
    return problems


def unread_values(dropped: set[Path], kept: set[Path]) -> list[Problem]:
    """spec.unvalidatedValues entries that no release's chart declares: warnings, not silent drops. (istioctl
    accepts them and hands them to charts that read nothing there, so refusing them would refuse its input.)

    `dropped`/`kept`: IstioOperator paths of the values each release's chart left out / kept. Validated
    values a chart does not read were dropped on purpose (they are other charts' business).
    """
    return [Problem(d, "is not a value of any chart in the plan; no release reads it, so it changes nothing",
                    Severity.WARNING, fix="remove it, or check its spelling against the charts' values.schema.json")
            for d in sorted(dropped, key=str)
            if d[:2] == ("spec", "unvalidatedValues") and not any(k[:len(d)] == d for k in kept)
            and not any(len(e) > len(d) and e[:len(d)] == d for e in dropped)]  # name the deepest path


def node_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path of a nested map (maps only; lists count as leaves)."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += node_paths(v, prefix + (k,))
    return out


def _problem(vpath: Path, message: str, release: str, origin: Origin) -> Problem:
    where = format_path(vpath) or "(top level)"
    return Problem(origin(vpath), f"{message} (value {where} of release {release}, chart schema)",
                   fix="correct it in the IstioOperator")


def _message(err: Any) -> str:
    if err.validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return f"expected {expected}, found {type(err.instance).__name__.replace('str', 'string')} {err.instance!r}"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(repr, err.validator_value))}"
    return err.message


def without_nulls(value: Any) -> Any:
    """Values as Helm validates them: a null in user values deletes the key (it clears a chart default)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
