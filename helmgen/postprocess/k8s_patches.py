"""`components.*.k8s` settings applied to a component's rendered objects, as istioctl does (facts 5.1).

Each field present in the user's `k8s` map (an explicit null counts: it deletes the chart's field) becomes a
strategic merge patch on the objects of the target kind and name; `podDisruptionBudget` then drops
`minAvailable` when `maxUnavailable` is also set; `overlays` run last. Whatever istioctl drops without a word
(`volumes`, `volumeMounts`, a patch or overlay that matches no object, an overlay path that fails) is
reported as a warning with its IstioOperator path.

Istio's charts get all of it applied here (or by helmgen's post-renderer). Our charts apply the structured
fields themselves, from their value `k8s`, with the Go helper charts/_lib/_helmgen_k8s.tpl (a port of this
module and smp.py); for them only the overlays are applied here (`chart_applied`).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from helmgen.errors import Problem, Severity
from helmgen.paths import Path
from helmgen.postprocess.sorting import object_name

_POD = ("spec", "template", "spec")
_CONTAINER = object()  # marks a field patched inside the component's container

# field: (target kind, None = the component's own kind; where the value goes in that object)
FIELDS: dict[str, tuple[str | None, tuple]] = {
    "affinity": (None, (*_POD, "affinity")),
    "env": (None, (_CONTAINER, "env")),
    "hpaSpec": ("HorizontalPodAutoscaler", ("spec",)),
    "imagePullPolicy": (None, (_CONTAINER, "imagePullPolicy")),
    "nodeSelector": (None, (*_POD, "nodeSelector")),
    "podDisruptionBudget": ("PodDisruptionBudget", ("spec",)),
    "podAnnotations": (None, ("spec", "template", "metadata", "annotations")),
    "priorityClassName": (None, (*_POD, "priorityClassName")),
    "readinessProbe": (None, (_CONTAINER, "readinessProbe")),
    "replicaCount": (None, ("spec", "replicas")),
    "resources": (None, (_CONTAINER, "resources")),
    "strategy": (None, ("spec", "strategy")),
    "tolerations": (None, (*_POD, "tolerations")),
    "serviceAnnotations": ("Service", ("metadata", "annotations")),
    "service": ("Service", ("spec",)),
    "securityContext": (None, (*_POD, "securityContext")),
}
IGNORED = ("volumes", "volumeMounts")  # accepted by istioctl's schema, never applied


@dataclass(frozen=True)
class Target:
    """Whose objects a component's `k8s` settings patch (facts 5: ResourceType, ResourceName, ContainerName)."""

    kind: str            # "" for Base: only overlays apply
    name: str
    container: str
    gateway: bool = False

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "container": self.container, "gateway": self.gateway}

    @classmethod
    def from_json(cls, data: dict) -> "Target":
        return cls(str(data["kind"]), str(data["name"]), str(data["container"]), bool(data.get("gateway")))


def _patch(location: tuple, value: Any, container: str) -> dict:
    """The nested patch that puts value at location (containers addressed by the merge key `name`)."""
    if location[0] is _CONTAINER:
        inner = {"name": container, location[1]: value}
        return _patch((*_POD, "containers"), [inner], container)
    out: Any = value
    for key in reversed(location):
        out = {key: out}
    return out


def _json_numbers(value: Any) -> Any:
    """Numbers as istioctl's JSON round trip leaves them: whole floats become integers (8080.0 -> 8080)."""
    if isinstance(value, dict):
        return {k: _json_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_numbers(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _kind_key(obj: dict) -> str:
    return f"{obj.get('apiVersion', '')}/{obj.get('kind', '')}"


def _pdb_rule(obj: dict) -> dict:
    spec = obj.get("spec")
    if isinstance(spec, dict) and "maxUnavailable" in spec and "minAvailable" in spec:
        spec["minAvailable"] = None
    return obj


def _warn(path: Path, message: str, strict: bool) -> Problem:
    return Problem(path, message, Severity.ERROR if strict else Severity.WARNING)


def touched(k8s: Any, target: Target, fields: bool = True) -> set[tuple[str, str]]:
    """(kind, name) of every object this k8s map may change (only its overlays' with `fields` false): only those
    need parsing."""
    if not isinstance(k8s, dict):
        return set()
    out = {(kind or target.kind, target.name) for kind, _ in FIELDS.values()} if target.kind and fields else set()
    overlays = k8s.get("overlays")
    for overlay in overlays if isinstance(overlays, list) else []:
        if isinstance(overlay, dict):
            out.add((str(overlay.get("kind")), str(overlay.get("name"))))
    return out


def with_gateway_ports_emptied(k8s: dict) -> dict:
    """A gateway's k8s map as istioctl patches it: its `service.ports` already went into the chart values, so
    the Service patch gets `ports: []` in their place (even when no service was asked for). A copy."""
    out = copy.deepcopy(k8s)
    service = out.get("service")
    out["service"] = {**service, "ports": []} if isinstance(service, dict) else {"ports": []}
    return out


def ignored_fields(k8s: Any, base: Path, strict: bool = False) -> list[Problem]:
    """k8s.volumes and k8s.volumeMounts, which istioctl accepts and ignores (and so do our charts)."""
    return [_warn((*base, field), f"istioctl ignores k8s.{field}, and so does helmgen to keep the output equal",
                  strict) for field in IGNORED if isinstance(k8s, dict) and field in k8s]


def field_problems(k8s: Any, target: Target, base: Path, present: set[tuple[str, str]],
                   strict: bool = False) -> list[Problem]:
    """What istioctl drops without a word among the structured fields of a k8s map: volumes and volumeMounts, and
    each field whose target object is not among `present` ((kind, name) of the rendered objects)."""
    if not isinstance(k8s, dict):
        return []
    problems = ignored_fields(k8s, base, strict)
    for field, (kind, _) in FIELDS.items():
        if field in k8s and not (target.kind and ((kind or target.kind), target.name) in present):
            why = (f"the chart rendered no {kind or target.kind} {target.name}" if target.kind else
                   "this component has no workload to patch (only k8s.overlays apply to it)")
            problems.append(_warn((*base, field), f"{why}, so this setting has no effect; istioctl drops it "
                                  "without a word", strict))
    return problems


def postprocess(objects: list[dict], k8s: Any, target: Target, base: Path, strict: bool = False,
                chart_applied: bool = False,
                present: set[tuple[str, str]] | None = None) -> tuple[list[dict], list[Problem]]:
    """Apply one component's raw `k8s` map to its rendered objects; return new objects and what was dropped.

    `base` is the IstioOperator path of the `k8s` map (for messages). With `strict`, drops are errors.
    With `chart_applied` the chart already applied the structured fields (our charts, through the helper
    `helmgen.k8s.apply`): only the overlays are applied here, and the drops are still reported. `present`:
    (kind, name) of every object of the render, when `objects` are not all of them.
    """
    if not isinstance(k8s, dict):
        return objects, []
    from helmgen.postprocess.overlays import apply_overlays  # only releases with k8s settings pay the imports
    from helmgen.postprocess.smp import SmpError, strategic_merge
    found = present if present is not None else {(str(o.get("kind")), object_name(o)) for o in objects}
    problems = field_problems(k8s, target, base, found, strict)
    k8s = with_gateway_ports_emptied(k8s) if target.gateway else copy.deepcopy(k8s)
    out = [copy.deepcopy(o) for o in objects]
    for field, (kind, location) in FIELDS.items():
        if field not in k8s or chart_applied:
            continue
        kind = kind or target.kind
        patch = _patch(location, _json_numbers(k8s[field]), target.container)
        hits = [i for i, o in enumerate(out)
                if target.kind and o.get("kind") == kind and object_name(o) == target.name]
        for i in hits:
            try:
                out[i] = strategic_merge(out[i], patch, _kind_key(out[i]))
            except SmpError as e:  # istioctl fails the whole render here too
                problems.append(Problem((*base, field), f"cannot be applied to {kind} {target.name}: {e}",
                                        fix="istioctl rejects this setting as well; correct or remove it"))
                continue
            if field == "podDisruptionBudget":
                out[i] = _pdb_rule(out[i])
    if "overlays" in k8s:
        out, dropped = apply_overlays(out, k8s["overlays"], (*base, "overlays"))
        problems += [_warn(d.path, d.message, strict) for d in dropped]
    return out, problems
