"""The equivalence tier's inputs: the parity corpus (Istio's manifest-generate inputs and ours), the example
IstioOperator, and one IstioOperator per profile."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for extra in ("tests/parity", "tests/oracle"):
    if str(ROOT / extra) not in sys.path:
        sys.path.insert(0, str(ROOT / extra))

from test_template_vs_istioctl_generate import CASES as PARITY_CASES  # noqa: E402

PROFILES = sorted(p.stem for p in (ROOT / "helmgen" / "data" / "profiles").glob("*.yaml"))


@dataclass(frozen=True)
class Case:
    id: str
    files: tuple[Path, ...] = ()
    sets: tuple[str, ...] = ()
    revision: str | None = None
    profile: str | None = None   # no files: `spec.profile` is this


def all_cases() -> list[Case]:
    cases = [Case(c.id, tuple(c.files), c.sets, c.revision) for c in PARITY_CASES]
    cases.append(Case("example", (ROOT / "examples" / "istio-operator.yaml",)))
    cases += [Case(f"profile/{p}", profile=p) for p in PROFILES]
    return cases


def files_of(case: Case, tmp: Path) -> list[Path]:
    if case.profile is None:
        return list(case.files)
    path = tmp / f"profile-{case.profile}.yaml"
    path.write_text(f"apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: {case.profile}\n")
    return [path]
