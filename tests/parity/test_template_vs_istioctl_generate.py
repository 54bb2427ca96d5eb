"""Parity: `helmgen template --compat istioctl` == `istioctl manifest generate`, object for object.

For every input (each file of the istio module's operator/cmd/mesh/testdata/manifest-generate/input, and every
IstioOperator of ours in tests/parity/inputs, whose `# args:` line adds --set / --revision flags), with the
module's manifests/ as --manifests, rendered by real Helm 3 and Helm 4:
  * when istioctl accepts the input, both outputs parse to the same objects (compared as data, every type
    strictly) and come in the same order (istioctl's sort key; ties between components are random there);
  * when istioctl rejects it, helmgen rejects it too (InputError: exit 1).
There is no list of known differences. The one intended difference, string booleans, has its own test below:
helmgen's output for `"true"` equals istioctl's for `true`.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generate_oracle import run_generate
from istioctl_oracle import istio_module_dir, strict_data

HERE = Path(__file__).resolve().parent
OWN = HERE / "inputs"
UPSTREAM_REL = "operator/cmd/mesh/testdata/manifest-generate/input"
HELMS = ["HELMGEN_HELM3", "HELMGEN_HELM4"]


@dataclass(frozen=True)
class Case:
    id: str
    file: Path
    sets: tuple[str, ...] = ()
    revision: str | None = None
    more: tuple[Path, ...] = ()   # further -f files, merged after `file` in order

    @property
    def files(self) -> list[Path]:
        return [self.file, *self.more]

    def istioctl_args(self) -> list[str]:
        args = [a for s in self.sets for a in ("--set", s)]
        return args + (["--revision", self.revision] if self.revision is not None else [])


def _own_case(path: Path) -> Case:
    sets, revision, more = [], None, []
    for line in path.read_text().splitlines()[:3]:
        also = re.match(r"#\s*also:\s*(.*)", line)
        if also:
            more += [path.parent / name for name in also.group(1).split()]
            continue
        m = re.match(r"#\s*args:\s*(.*)", line)
        if not m:
            continue
        words = m.group(1).split()
        for flag, value in zip(words[::2], words[1::2]):
            if flag in ("--set", "-s"):
                sets.append(value)
            elif flag in ("--revision", "-r"):
                revision = value
            else:
                raise ValueError(f"{path}: unsupported flag {flag} in the args line")
    return Case(f"own/{path.stem}", path, tuple(sets), revision, tuple(more))


def _cases() -> list[Case]:
    upstream = sorted((istio_module_dir() / UPSTREAM_REL).glob("*.yaml"))
    own = sorted(OWN.glob("*.yaml"))  # files named *.part.yaml are only ever the second file of a case
    return [Case(f"upstream/{p.stem}", p) for p in upstream] + [_own_case(p) for p in own if not p.name.endswith(".part.yaml")]


CASES = _cases()


def test_the_tier_is_big_enough():
    assert sum(c.id.startswith("upstream/") for c in CASES) >= 40
    assert sum(c.id.startswith("own/") for c in CASES) >= 40


@pytest.fixture(params=HELMS, ids=["helm3", "helm4"])
def helm(request) -> str:
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return path


def _objects(text: str) -> list[dict]:
    from helmgen.postprocess.stream import load_stream
    return load_stream(text)


def _ident(o: dict) -> tuple:
    meta = o.get("metadata") or {}
    return (o.get("apiVersion"), o.get("kind"), meta.get("namespace") or "", meta.get("name"))


def assert_same_objects(ours: list[dict], theirs: list[dict]) -> None:
    from helmgen.postprocess.sorting import sort_key

    def by_ident(objs):
        out: dict[tuple, list] = {}
        for o in objs:
            out.setdefault(_ident(o), []).append(o)
        return out
    mine, ref = by_ident(ours), by_ident(theirs)
    problems = []
    for ident in sorted(set(mine) | set(ref), key=str):
        a, b = mine.get(ident, []), ref.get(ident, [])
        if len(a) != len(b):
            problems.append(f"{ident}: helmgen has {len(a)}, istioctl {len(b)}")
            continue
        for x, y in zip(a, b):
            if strict_data(x) != strict_data(y):
                dx = yaml.safe_dump(x, sort_keys=True).splitlines()
                dy = yaml.safe_dump(y, sort_keys=True).splitlines()
                diff = "\n".join(list(difflib.unified_diff(dy, dx, "istioctl", "helmgen", lineterm=""))[:60])
                problems.append(f"{ident} differs:\n{diff}")
    assert not problems, "\n".join(problems[:8]) + (f"\n... {len(problems) - 8} more" if len(problems) > 8 else "")
    assert [sort_key(o) for o in ours] == [sort_key(o) for o in theirs], "same objects, different order"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_template_equals_istioctl_manifest_generate(case, helm, istioctl, istio_manifests):
    from helmgen import api, render
    from helmgen.errors import InputError
    from helmgen.helm import ChartRejected

    reference = run_generate(istioctl, istio_manifests, case.files, case.istioctl_args())
    opts = api.Options(tuple(map(str, case.files)), case.sets, case.revision, str(istio_manifests))
    if not reference.ok:
        with pytest.raises((InputError, ChartRejected)) as raised:  # both exit 1
            render.template(opts, compat=True, helm_path=helm)
        assert raised.value.exit_code == 1
        return
    result = render.template(opts, compat=True, helm_path=helm)
    assert_same_objects(_objects(result.text), _objects(reference.stdout))


def test_string_booleans_render_as_istioctl_renders_real_booleans(helm, istioctl, istio_manifests, tmp_path):
    from helmgen import api, render

    text = (HERE / "string_booleans.yaml.txt").read_text()
    real = tmp_path / "real.yaml"
    real.write_text(re.sub(r'"(true|false)"', r"\1", text))
    quoted = tmp_path / "quoted.yaml"
    quoted.write_text(text)
    assert run_generate(istioctl, istio_manifests, [quoted], []).returncode != 0, "istioctl now accepts them"
    reference = run_generate(istioctl, istio_manifests, [real], [])
    assert reference.ok, reference.error
    result = render.template(api.Options((str(quoted),), manifests=str(istio_manifests)), compat=True,
                             helm_path=helm)
    assert_same_objects(_objects(result.text), _objects(reference.stdout))


K8S_CASES = [c for c in CASES if "k8s:" in c.file.read_text()]


@pytest.mark.parametrize("case", K8S_CASES, ids=[c.id for c in K8S_CASES])
def test_post_renderer_inside_helm_equals_istioctl_manifest_generate(case, helm, istioctl, istio_manifests):
    """The same comparison with post-processing run by helm itself, through helmgen's post-renderer (an
    executable for Helm 3, a private plugin for Helm 4): what `helmgen install` will apply."""
    from helmgen import api, render
    from helmgen.errors import InputError
    from helmgen.helm import ChartRejected

    reference = run_generate(istioctl, istio_manifests, case.files, case.istioctl_args())
    opts = api.Options(tuple(map(str, case.files)), case.sets, case.revision, str(istio_manifests))
    if not reference.ok:
        with pytest.raises((InputError, ChartRejected)):
            render.template(opts, compat=True, helm_path=helm, use_post_renderer=True)
        return
    result = render.template(opts, compat=True, helm_path=helm, use_post_renderer=True)
    ours, theirs = _objects(result.text), _objects(reference.stdout)
    if helm == os.environ.get("HELMGEN_HELM4"):
        ours, theirs = _without_empty_annotations(ours), _without_empty_annotations(theirs)
    assert_same_objects(ours, theirs)


def _without_empty_annotations(objects: list[dict]) -> list[dict]:
    """Helm 4 itself, whenever any post-renderer runs, writes its `postrender-filename` annotation into every
    object and clears it afterwards with kyaml, which removes a `metadata.annotations` left empty (or null)
    (helm v4.1.4 pkg/action/action.go, splitAndDeannotate). Kubernetes treats an empty map and no map alike;
    this is the only normalisation, and only for Helm 4's post-renderer path."""
    out = []
    for o in objects:
        meta = o.get("metadata")
        if isinstance(meta, dict) and "annotations" in meta and not meta["annotations"]:
            o = {**o, "metadata": {k: v for k, v in meta.items() if k != "annotations"}}
        out.append(o)
    return out
