"""Chart values against the chart's values.schema.json (draft-07): all issues, sorted by path."""
from __future__ import annotations

from typing import Any

from helmgen.errors import Problem
from helmgen.paths import Path, format_path


def schema_problems(schema: dict, values: dict, release: str, origins: dict[str, Path]) -> list[Problem]:
    from jsonschema import Draft7Validator  # imported here: only translation/validation pays for it

    problems = []
    for err in Draft7Validator(schema).iter_errors(without_nulls(values)):
        vpath: Path = tuple(err.absolute_path)
        message = _message(err)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {}))
            for extra in sorted(k for k in err.instance if k not in allowed):
                problems.append(_problem(vpath + (extra,), "is not a value of this chart", release, origins))
            continue
        problems.append(_problem(vpath, message, release, origins))
    return problems


def _problem(vpath: Path, message: str, release: str, origins: dict[str, Path]) -> Problem:
    iop = origins.get(str(vpath[0]), ("spec", "values", str(vpath[0]))) + tuple(vpath[1:]) if vpath else ()
    where = format_path(vpath) or "(top level)"
    return Problem(iop, f"{message} (value {where} of release {release}, chart schema)",
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
