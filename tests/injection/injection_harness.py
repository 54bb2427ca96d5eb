"""Helpers of the injection tier (tests/injection): our istiod chart's injection templates
(charts/istiod/files/inject-<name>.yaml) against Istio's, for the same inputs.

Istio's side: the `istio-sidecar-injector` ConfigMap (keys `config` and `values`) and the mesh ConfigMap that
Istio's own istiod chart renders for an IstioOperator (helmgen with --manifests: the pinned istio module's
charts). Our side: the very same injector config with our files in its `templates` map in place of Istio's
templates of the same names. Both sides go through the same istiod code, offline:

  * `istioctl kube-inject` (--injectConfigFile/--meshConfigFile/--valuesFile): sidecar, gateway, grpc-*;
  * tests/injection/injrender, a small Go program built inside the pinned istio module, that drives
    - the injection webhook (namespace-derived proxy uid/gid on OpenShift, native sidecars from node versions,
      the webhook URL's cluster/network), and
    - the Gateway API deployment controller, which renders the waypoint and kube-gateway templates.

What is compared is the parsed result (`differences`). Nothing of Istio's template text is kept in this
repository: it is read from the rendered ConfigMap at test time.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CACHE = REPO / ".cache" / "injection"
OUR_FILES = REPO / "charts" / "istiod" / "files"
INJRENDER_SOURCE = HERE / "injrender" / "main.go"
# The templates this tier owns (charts/istiod/files/inject-<name>.yaml).
TEMPLATE_NAMES = ("sidecar", "gateway", "grpc-simple", "grpc-agent", "waypoint", "kube-gateway")
CACHE_FORMAT = "injector-v1"

if str(REPO / "tests" / "oracle") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "oracle"))
from istioctl_oracle import BUILD_SCRIPT, istio_version, load_go_yaml  # noqa: E402


def helm_binary() -> str:
    """Helm 3 as `make test` names it, else the one `make setup` caches."""
    path = os.environ.get("HELMGEN_HELM3") or str(REPO / ".cache" / "helm" / "3.18.0" / "helm")
    if not Path(path).is_file():
        raise RuntimeError(f"no helm binary at {path} (run `make -s setup` or set HELMGEN_HELM3)")
    return path


def our_templates() -> dict[str, str]:
    """Our template files, by template name."""
    return {name: (OUR_FILES / f"inject-{name}.yaml").read_text() for name in TEMPLATE_NAMES}


# ------------------------------------------------------------------------------------ Istio's injector config

@dataclass(frozen=True)
class Injector:
    """What Istio's istiod chart renders for one IstioOperator: the injector config (templates included), the
    values istiod hands to the templates (JSON text) and the mesh config (YAML text)."""

    config: dict
    values: str
    mesh: str

    def templates(self, side: str, ours: dict[str, str] | None = None) -> dict[str, str]:
        """The side's `templates` map: Istio's as rendered, or the same with our files for the names we own
        (templates of other names, such as the ones a user adds under sidecarInjectorWebhook.templates, stay)."""
        result = dict(self.config.get("templates") or {})
        if side == "ours":
            result.update(our_templates() if ours is None else ours)
        return result

    def config_for(self, side: str, ours: dict[str, str] | None = None) -> dict:
        cfg = dict(self.config)
        cfg["templates"] = self.templates(side, ours)
        return cfg

    def with_values(self, patch: dict | None) -> "Injector":
        """The same injector with `patch` deep-merged into the values (a null in the patch sets a null)."""
        if not patch:
            return self
        return Injector(self.config, json.dumps(deep_merge(json.loads(self.values), patch)), self.mesh)

    def with_mesh(self, patch: dict | None) -> "Injector":
        if not patch:
            return self
        return Injector(self.config, self.values, yaml.safe_dump(deep_merge(yaml.safe_load(self.mesh), patch)))


def our_chart_injector(iop_spec: dict, revision: str | None = None) -> Injector:
    """The injector ConfigMaps our own istiod chart renders for `spec` (helmgen without --manifests): our
    templates, and the values and mesh config our chart writes. Not cached: the chart is work in progress."""
    return _render_injector(iop_spec, None, revision)


def deep_merge(base, patch):
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    out = dict(base)
    for key, value in patch.items():
        out[key] = deep_merge(base.get(key), value) if isinstance(value, dict) else value
    return out


def istio_injector(iop_spec: dict, manifests: Path, revision: str | None = None) -> Injector:
    """Istio's injector ConfigMaps for `spec` (an IstioOperator spec), rendered by helmgen through Istio's charts.
    Cached in .cache/injection/ by istio version, manifests dir, spec and revision."""
    key = hashlib.sha256(json.dumps([CACHE_FORMAT, istio_version(), str(manifests), _iop_text(iop_spec),
                                     revision]).encode())
    path = CACHE / f"{key.hexdigest()[:24]}.json"
    if path.is_file():
        data = json.loads(path.read_text())
        return Injector(data["config"], data["values"], data["mesh"])
    injector = _render_injector(iop_spec, manifests, revision)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp_path = path.with_suffix(f".{os.getpid()}.tmp")
    tmp_path.write_text(json.dumps({"config": injector.config, "values": injector.values, "mesh": injector.mesh}))
    tmp_path.replace(path)
    return injector


def _iop_text(iop_spec: dict) -> str:
    return yaml.safe_dump({"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "spec": iop_spec},
                          sort_keys=True)


def _render_injector(iop_spec: dict, manifests: Path | None, revision: str | None) -> Injector:
    """The istiod release's injector and mesh ConfigMaps, through helmgen: Istio's charts under `manifests`,
    else ours."""
    from helmgen import api, render
    from helmgen.postprocess.stream import document_object
    text = _iop_text(iop_spec)
    with tempfile.TemporaryDirectory() as tmp:
        iop = Path(tmp) / "iop.yaml"
        iop.write_text(text)
        opts = api.Options((str(iop),), (), revision, str(manifests) if manifests else None)
        resolved, jobs = render.release_jobs(opts)
        jobs = [j for j in jobs if j.spec.info.chart == "istiod"]
        rendered = render.render_jobs(resolved, jobs, helm_path=helm_binary())
    config = values = mesh = None
    for doc in (d for docs in rendered.per_job for d in docs):
        obj = document_object(doc)
        if not obj or obj.get("kind") != "ConfigMap":
            continue
        data = obj.get("data") or {}
        name = obj["metadata"]["name"]
        if name.startswith("istio-sidecar-injector"):
            config, values = data["config"], data["values"]
        elif "mesh" in data and (name == "istio" or name.startswith("istio-")):
            mesh = data["mesh"]
    if config is None or mesh is None:
        side = "Istio's" if manifests else "our"
        raise RuntimeError(f"{side} istiod chart rendered no injector/mesh ConfigMap for:\n{text}")
    return Injector(yaml.safe_load(config), values, mesh)


# ------------------------------------------------------------------------------------------- kube-inject runs

@dataclass
class Run:
    """One run's exit code, parsed output documents, stderr."""

    returncode: int
    docs: list = field(default_factory=list)
    stderr: str = ""

    def outcome(self):
        """What is compared: the documents, or the failure (the Go error without the template position)."""
        if self.returncode == 0:
            return self.docs
        lines = [ln for ln in self.stderr.splitlines() if ln.startswith("Error:")]
        return {"failed": self.returncode, "error": error_text(lines[0] if lines else self.stderr.strip()[-300:])}


def error_text(message: str) -> str:
    """A template error without the template's name/line/column (they differ by construction), and without the
    list of known templates a missing template's error adds (in map order)."""
    return message.rsplit(">: ", 1)[-1].split("; have ", 1)[0]


def kube_inject(istioctl: Path, config: dict, values: str, mesh: str, workload: str,
                env: dict[str, str] | None = None, revision: str = "default") -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        (t / "inject.yaml").write_text(yaml.safe_dump(config))
        (t / "values.json").write_text(values)
        (t / "mesh.yaml").write_text(mesh)
        (t / "workload.yaml").write_text(workload)
        # --revision: without it istioctl looks for a cluster to learn the default revision.
        cmd = [str(istioctl), "kube-inject", "-f", str(t / "workload.yaml"), "--injectConfigFile",
               str(t / "inject.yaml"), "--meshConfigFile", str(t / "mesh.yaml"), "--valuesFile",
               str(t / "values.json"), "--revision", revision]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(t, env), timeout=120)
    docs = [d for d in load_go_yaml_all(proc.stdout) if d] if proc.returncode == 0 else []
    return Run(proc.returncode, docs, proc.stderr)


def _env(tmp: Path, extra: dict[str, str] | None) -> dict[str, str]:
    """A clean environment: no cluster, and only the istiod feature flags the case sets."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("KUBECONFIG", "ENABLE_NATIVE_SIDECARS", "COMPLIANCE_POLICY", "PLATFORM")
           and not k.startswith(("PILOT_", "AMBIENT_"))}
    env["KUBECONFIG"] = str(tmp / "no-kubeconfig")
    env.update(extra or {})
    return env


def load_go_yaml_all(text: str) -> list:
    return [load_go_yaml(part) for part in split_docs(text)]


def split_docs(text: str) -> list[str]:
    parts, cur = [], []
    for line in text.splitlines(keepends=True):
        if line.rstrip() == "---":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(line)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]


# ------------------------------------------------------------------------------------------------ injrender

def build_injrender() -> Path:
    """tests/injection/injrender built inside the pinned istio module (so every dependency is the one istiod is
    built with), cached in .cache/injection/ by source and istio version."""
    digest = hashlib.sha256(INJRENDER_SOURCE.read_bytes() + istio_version().encode()).hexdigest()[:16]
    binary = CACHE / f"injrender-{digest}"
    if binary.is_file():
        return binary
    module_dir = _build_script_output("--module-dir")
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = CACHE / f"injrender-{digest}.{os.getpid()}.tmp"
    env = dict(os.environ, GOFLAGS="-mod=readonly -buildvcs=false", CGO_ENABLED="0",
               GOTOOLCHAIN=os.environ.get("GOTOOLCHAIN", "auto"))
    proc = subprocess.run(["go", "build", "-trimpath", "-o", str(tmp), str(INJRENDER_SOURCE)], cwd=module_dir,
                          capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"building {INJRENDER_SOURCE} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    for old in CACHE.glob("injrender-*"):
        if old.is_file() and old.suffix != ".tmp":
            old.unlink()
    tmp.replace(binary)
    return binary


def _build_script_output(*args: str) -> str:
    proc = subprocess.run([str(BUILD_SCRIPT), *args], capture_output=True, text=True, timeout=1800)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{BUILD_SCRIPT} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return lines[-1]


def injrender(binary: Path, request: dict, env: dict[str, str] | None = None) -> dict:
    """One injrender run (both sides); its JSON answer. Errors of the run itself raise."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([str(binary)], input=json.dumps(request), capture_output=True, text=True,
                              env=_env(Path(tmp), env), timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"injrender failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def webhook_inject(binary: Path, injector: Injector, pods: list[dict], objects: list[dict],
                   env: dict[str, str] | None = None, path: str | None = None, revision: str | None = None,
                   ours: dict[str, str] | None = None) -> dict:
    """Each pod through istiod's injection webhook, per side: {"istio": [...], "ours": [...]}, each item the
    injected pod or {"error": ...}."""
    config = {k: v for k, v in injector.config.items() if k != "templates"}
    request = {"mode": "webhook", "config": yaml.safe_dump(config), "values": injector.values, "mesh": injector.mesh,
               "sides": {side: injector.templates(side, ours) for side in ("istio", "ours")},
               "objects": [json.dumps(o) for o in objects], "pods": [json.dumps(p) for p in pods],
               "path": path or "/inject", "revision": revision or ""}
    answer = injrender(binary, request, env)
    return {side: [({"error": error_text(p["error"])} if "error" in p else p) for p in answer[side]["pods"]]
            for side in ("istio", "ours")}


def gateway_render(binary: Path, injector: Injector, objects: list[dict], gateway: tuple[str, str],
                   env: dict[str, str] | None = None, revision: str | None = None,
                   ours: dict[str, str] | None = None, cluster_id: str | None = None,
                   kube_minor: int | None = None) -> dict:
    """What istiod's Gateway API deployment controller applies for `gateway` (namespace, name), per side:
    {"istio": {"applied": [...], "error": ...}, "ours": {...}}."""
    request = {"mode": "gateway", "values": injector.values, "mesh": injector.mesh,
               "sides": {side: injector.templates(side, ours) for side in ("istio", "ours")},
               "objects": [json.dumps(o) for o in objects],
               "gateway": {"namespace": gateway[0], "name": gateway[1]}, "revision": revision or "",
               "clusterID": cluster_id or "", "kubeMinor": str(kube_minor or "")}
    answer = injrender(binary, request, env)
    return {side: {"applied": answer[side].get("applied") or [], "error": error_text(answer[side].get("error", ""))}
            for side in ("istio", "ours")}


# ------------------------------------------------------------------------------------------------ comparison

def differences(theirs, ours, path: str = "") -> list[str]:
    """Every place where the two parsed outputs differ, as 'path: theirs != ours' lines."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        out = []
        for key in sorted(set(theirs) | set(ours), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in ours:
                out.append(f"{sub}: only in Istio's: {_short(theirs[key])}")
            elif key not in theirs:
                out.append(f"{sub}: only in ours: {_short(ours[key])}")
            else:
                out += differences(theirs[key], ours[key], sub)
        return out
    if isinstance(theirs, list) and isinstance(ours, list):
        if len(theirs) == len(ours):
            out = []
            for i, (a, b) in enumerate(zip(theirs, ours)):
                out += differences(a, b, f"{path}[{_label(a, i)}]")
            return out
        if all(isinstance(x, dict) and "name" in x for x in theirs + ours):
            out = [f"{path}: names: Istio's {[x['name'] for x in theirs]} != ours {[x['name'] for x in ours]}"]
            by_name = {x["name"]: x for x in ours}
            for item in theirs:
                if item["name"] in by_name:
                    out += differences(item, by_name[item["name"]], f"{path}[{item['name']}]")
            return out
        return [f"{path}: Istio's {len(theirs)} items {_short(theirs)} != ours {len(ours)} items {_short(ours)}"]
    if theirs != ours or type(theirs) is not type(ours):
        return [f"{path}: Istio's {_short(theirs)} != ours {_short(ours)}"]
    return []


def _label(item, i: int) -> str:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"{i}:{item['name']}"
    return str(i)


def _short(value, limit: int = 400) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[:limit] + "..."
