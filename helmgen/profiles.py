"""Profiles: ours (helmgen/data/profiles/*.yaml) or, with --manifests, an Istio release's profiles/."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from helmgen import iop

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("helmgen.data.profiles").iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=None)
def _read(name: str, package: str) -> dict | None:
    if not _NAME.match(name):
        return None
    if package:
        path = Path(package) / "profiles" / f"{name}.yaml"
        if not path.is_file():
            return None
        text = path.read_text()
    else:
        res = resources.files("helmgen.data.profiles").joinpath(f"{name}.yaml")
        if not res.is_file():
            return None
        text = res.read_text()
    return iop.parse_source(iop.Source(f"profile {name}", text))


def load(name: str, package: str) -> dict | None:
    """The profile as an IstioOperator tree, or None when there is no such profile."""
    import copy

    found = _read(name, package)
    return copy.deepcopy(found) if found is not None else None
