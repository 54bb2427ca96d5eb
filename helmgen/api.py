"""The library entry points: IstioOperator files in, checked values and a release plan out.

This layer does the reading (files, profiles, chart schemas) and calls the pure core:
iop (parse) -> typecheck (types, normalise) -> merge (layers) -> validate (semantics) ->
translate (per component, per chart) -> schema (chart values) -> plan.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path as FsPath
from typing import Any

from helmgen import iop, profiles
from helmgen.errors import InputError, Problem, Severity, sort_problems, tagged
from helmgen.merge import (apply_unvalidated_values, build_user_config, flag_aliases, merge_inputs,
                           overridden_user_values)
from helmgen.plan import Release, build_plan
from helmgen.translate.charts import chart_values, drop_refused_nulls, iop_path_of, project
from helmgen.translate.components import ComponentSpec, component_specs, component_values
from helmgen.translate.k8s import overlays_of
from helmgen.typecheck import IOP_TYPE, Checker, values_relocation
from helmgen.validate import validate
from helmgen.values import get_path


@dataclass(frozen=True)
class Options:
    files: tuple[str, ...]
    sets: tuple[str, ...] = ()
    revision: str | None = None
    manifests: str | None = None
    force: bool = False
    stdin_text: str | None = None
    stdin_name: str = "<stdin>"      # how messages name the `-` input (the operator: the resource's name)


@dataclass(frozen=True)
class Resolved:
    merged: dict                  # merged IstioOperator, unvalidatedValues applied
    specs: list[ComponentSpec]
    warnings: list[Problem] = field(default_factory=list)
    forced: list[Problem] = field(default_factory=list)  # errors --force let through

    @property
    def revision(self) -> str:
        rev = get_path(self.merged, ("spec", "values", "revision"))
        return rev if isinstance(rev, str) else ""

    @property
    def namespace(self) -> str:
        ns = get_path(self.merged, ("spec", "values", "global", "istioNamespace"))
        return ns if isinstance(ns, str) and ns else "istio-system"


@dataclass(frozen=True)
class ReleaseValues:
    release: Release
    values: dict
    postrender: dict | None = None   # what helmgen's post-renderer applies: the k8s settings (Istio's charts),
                                     # the k8s.overlays (ours: they carry the other k8s settings as values)


@dataclass(frozen=True)
class Translation:
    resolved: Resolved
    releases: list[ReleaseValues]
    warnings: list[Problem]
    chart_version: str = ""          # Istio charts: the version of the release under --manifests


def _check_object(obj: dict, source: str, checker_problems: list[Problem]) -> dict:
    checker = Checker(relocate=values_relocation)
    normalised = checker.check(obj, IOP_TYPE, ())
    checker_problems += [Problem(p.path, p.message, p.severity, source, p.fix, rule="HG002") for p in checker.problems]
    return normalised


def _locate(problem: Problem, located: list[tuple[str, "iop.Lines"]]) -> Problem:
    """File and line of a problem's path: its own file when known, else the last file that sets it."""
    if problem.line:
        return problem
    for name, lines in reversed(located):
        if problem.source in ("", name) and problem.path in lines:
            return problem.located(name, lines[problem.path])
    return problem


def resolve(opts: Options) -> Resolved:
    """Read, check, merge and validate the inputs. Raises InputError with every problem found."""
    try:
        sources = iop.read_sources(list(opts.files), opts.stdin_text, opts.stdin_name)
    except InputError as e:
        raise InputError(tagged(e.problems, "HG001")) from None
    parsed, problems = [], []
    located: list[tuple[str, iop.Lines]] = []
    for src in sources:
        lines: iop.Lines = {}
        try:
            parsed.append((src, iop.parse_source(src, lines)))
            located.append((src.name, lines))
        except InputError as e:
            problems += tagged(e.problems, "HG001")
    if problems:
        raise InputError(problems)  # unreadable input: nothing further can be checked
    objects = [_check_object(obj, src.name, problems) for src, obj in parsed]
    sets = list(opts.sets) + flag_aliases(opts.revision, opts.manifests)
    try:
        user = build_user_config(objects, sets)
        merged = merge_inputs(user, profiles.load, profiles.names())
    except InputError as e:
        raise InputError(problems + tagged(e.problems, "HG002")) from None
    except (TypeError, AttributeError, ValueError):
        if any(p.severity is Severity.ERROR for p in problems):
            raise InputError(problems) from None  # the input is too mistyped to merge; say why
        raise
    # The files were checked one by one; check what --set added too (the user config, before profiles
    # and translation, so that nothing is reported twice under two paths).
    checker = Checker(relocate=values_relocation)
    checker.check(user, IOP_TYPE, ())
    reported = {(p.path, p.message) for p in problems}
    problems += tagged([p for p in checker.problems if (p.path, p.message) not in reported], "HG002")
    checked = validate(merged)
    problems += tagged([p for p in checked if p.severity is Severity.ERROR], "HG003")
    problems += tagged([p for p in checked if p.severity is not Severity.ERROR], "HG005")
    problems += tagged(overridden_user_values(get_path(user, ("spec", "values")), get_path(merged, ("spec", "values"))),
                       "HG005")
    problems = [_locate(p, located) for p in problems]
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    if errors and not opts.force:
        raise InputError(problems)
    if opts.force:
        warnings += [replace(p, severity=Severity.WARNING) for p in errors]
    final = apply_unvalidated_values(merged)
    return Resolved(final, component_specs(final), sort_problems(warnings), errors if opts.force else [])


def values_trees(files: list, sets: list[str] | None = None, revision: str | None = None,
                 manifests: str | None = None) -> dict[str, Any]:
    """Each enabled component's full values tree, keyed as `istioctl manifest translate` names them."""
    resolved = resolve(Options(tuple(str(f) for f in files), tuple(sets or ()), revision, manifests))
    values = get_path(resolved.merged, ("spec", "values"))
    return {cs.name or cs.info.translate_name or cs.gateway_name: component_values(values, cs)
            for cs in resolved.specs}


def charts_dir() -> FsPath:
    """Our charts: $HELMGEN_CHARTS, else the `charts/` folder beside the helmgen package."""
    env = os.environ.get("HELMGEN_CHARTS")
    return FsPath(env) if env else FsPath(__file__).resolve().parent.parent / "charts"


@lru_cache(maxsize=None)
def chart_schema(chart: str) -> dict:
    path = charts_dir() / chart / "values.schema.json"
    try:
        return json.loads(path.read_text())
    except OSError as e:
        raise InputError([Problem((), f"cannot read the schema of chart {chart} at {path}: {e.strerror}")]) from e


@lru_cache(maxsize=None)
def chart_defaults(chart: str) -> dict:
    """The chart's defaults: files/defaults.yaml (our charts lay them under the release's values at render time),
    or values.yaml for a chart that still keeps them there."""
    folder = charts_dir() / chart
    path = folder / "files" / "defaults.yaml"
    if not path.is_file():
        path = folder / "values.yaml"
    try:
        loaded = iop.parse_yaml(path.read_text(), str(path))
    except OSError as e:
        raise InputError([Problem((), f"cannot read the defaults of chart {chart} at {path}: {e.strerror}")]) from e
    return loaded if isinstance(loaded, dict) else {}


def manifests_dir(opts: Options, merged: dict) -> str:
    """--manifests, else the merged spec.installPackagePath (istioctl reads charts from there), else ''."""
    package = get_path(merged, ("spec", "installPackagePath"))
    return opts.manifests or (package if isinstance(package, str) else "")


def translate(opts: Options) -> Translation:
    """Resolve the inputs, then compute and check every release's chart values and the plan: for our
    charts, or, with an Istio release's manifests/ (--manifests), for Istio's own charts."""
    return translate_resolved(resolve(opts), opts)


def translate_resolved(resolved: Resolved, opts: Options) -> Translation:
    """`translate` of inputs already resolved (so callers that need both resolve once)."""
    package = manifests_dir(opts, resolved.merged)
    if package:
        from helmgen.istio_charts import translate_for_istio_charts
        return translate_for_istio_charts(resolved, package)
    try:
        return _translate(resolved)
    except (TypeError, AttributeError, ValueError):
        if resolved.forced:  # --force let mistyped input through and it cannot be translated
            raise InputError(resolved.forced) from None
        raise


def _translate(resolved: Resolved) -> Translation:
    from helmgen.schema import node_paths, schema_problems, unread_values

    releases, problems = build_plan(resolved.specs, resolved.revision, resolved.namespace)
    problems = tagged(problems, "HG003")
    values = get_path(resolved.merged, ("spec", "values"))
    unvalidated = get_path(resolved.merged, ("spec", "unvalidatedValues"))
    dropped_all: set = set()
    kept_all: set = set()
    out = []
    for rel in releases:
        schema = chart_schema(rel.chart)
        tree = component_values(values, rel.spec)
        chart_vals, origins = chart_values(rel.spec, tree)
        chart_vals, dropped = project(chart_vals, schema, schema)
        chart_vals = drop_refused_nulls(chart_vals, schema, schema)
        origin = partial(iop_path_of, origins=origins, unvalidated=unvalidated)
        dropped_all |= {origin(p) for p in dropped}
        kept_all |= {origin(p) for p in node_paths(chart_vals)}
        problems += tagged(schema_problems(schema, chart_vals, rel.name, origin), "HG004")
        out.append(ReleaseValues(rel, chart_vals, _overlays_spec(rel.spec, resolved.revision)))
    unread = tagged(unread_values(dropped_all, kept_all), "HG004")
    if problems:
        raise InputError(problems + unread)
    # unread values are the input's warnings, which template and install report too (they render from `resolved`)
    resolved = replace(resolved, warnings=sort_problems(resolved.warnings + unread))
    return Translation(resolved, out, sort_problems(resolved.warnings + _left_out_k8s(resolved.specs)))


def _overlays_spec(cs: ComponentSpec, revision: str) -> dict | None:
    """The post-renderer spec of one of our charts' releases: the component's k8s.overlays, when it has any."""
    from helmgen.istio_charts import target_of
    from helmgen.postprocess.stream import release_spec
    overlays = overlays_of(cs.k8s)
    if overlays is None:
        return None
    return release_spec({"overlays": overlays}, target_of(cs, revision).to_json(), (*cs.iop_path, "k8s"))


def _left_out_k8s(specs: list[ComponentSpec]) -> list[Problem]:
    """k8s.volumes and k8s.volumeMounts, which istioctl ignores: our charts' value `k8s` leaves them out."""
    from helmgen.postprocess.k8s_patches import ignored_fields
    return tagged([p for cs in specs for p in ignored_fields(cs.k8s, (*cs.iop_path, "k8s"))], "HG032")
