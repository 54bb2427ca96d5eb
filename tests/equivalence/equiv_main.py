"""scripts/equiv: the equivalence tier's comparison as a command, for working on a chart."""
from __future__ import annotations

import argparse
import fnmatch
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from behaviour import compare  # noqa: E402
from equiv_cases import ROOT, Case, all_cases, files_of  # noqa: E402
from intended import intended_for  # noqa: E402
from pairs import render_pair  # noqa: E402

CHARTS = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")


def _helm(major: str) -> str:
    ver = {"3": "3.18.0", "4": "4.1.4"}[major]
    return str(ROOT / ".cache" / "helm" / ver / "helm")


def _manifests() -> Path:
    out = subprocess.run([str(ROOT / "scripts" / "build-istioctl"), "--manifests"], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return Path(out)


def _istio_refuses(case: Case, tmp: Path, helm: str, manifests: Path) -> bool:
    from helmgen import api, render
    from helmgen.errors import HelmgenError
    try:
        render.template(api.Options(tuple(map(str, files_of(case, tmp))), case.sets, case.revision, str(manifests)),
                        helm_path=helm)
    except HelmgenError:
        return True
    return False


def run_case(case: Case, charts: tuple[str, ...], helm: str, manifests: Path, show_all: bool) -> list[str]:
    from helmgen.errors import HelmgenError
    with tempfile.TemporaryDirectory() as tmp:
        try:
            pair = render_pair(files_of(case, Path(tmp)), case.sets, case.revision, manifests, helm)
        except HelmgenError as exc:
            if _istio_refuses(case, Path(tmp), helm, manifests):
                return []   # both refuse it: what the tier asks
            return [f"{case.id}: only ours refuses it: {type(exc).__name__}: {str(exc)[:2000]}"]
    out = []
    for chart in charts:
        ours, theirs = pair.ours.get(chart, []), pair.theirs.get(chart, [])
        for line in compare(ours, theirs, [] if show_all else intended_for(chart)):
            out.append(f"{case.id} [{chart}] {line}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(prog="scripts/equiv")
    ap.add_argument("--chart", action="append", choices=CHARTS)
    ap.add_argument("--helm", default="3", choices=("3", "4"))
    ap.add_argument("--all", action="store_true", help="also show intended differences")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args()
    cases = all_cases()
    if args.cases:
        chosen = []
        for pattern in args.cases:
            if pattern.endswith(".yaml") and Path(pattern).is_file():
                chosen.append(Case(pattern, (Path(pattern).resolve(),)))
            else:
                chosen += [c for c in cases if fnmatch.fnmatchcase(c.id, pattern)]
        cases = chosen
    charts = tuple(args.chart or CHARTS)
    manifests = _manifests()
    helm = _helm(args.helm)
    failed = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for case, lines in zip(cases, pool.map(lambda c: run_case(c, charts, helm, manifests, args.all), cases)):
            if lines:
                failed += 1
                print("\n".join(lines), flush=True)
    print(f"{len(cases) - failed}/{len(cases)} cases equivalent ({', '.join(charts)})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
