"""helmgen's post-renderer under real helm 3.18 and 4.1: invoked, private, and loud when it fails.

The user's helm set-up is a throwaway HOME holding one plugin of theirs; after helmgen ran helm with
its post-renderer, that HOME must hold the same files and `helm plugin list` must say the same.
"""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helmgen import postrender_main
from helmgen.postprocess.stream import release_spec
from helmgen.postrenderer import (MESSAGES_FILE, PLUGIN_NAME, PostRendererError, post_renderer,
                                  read_messages)

FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"  # Helm 4 adds it before, strips it after
CHART = {
    "Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    # keys deliberately unsorted and a comment: the post-renderer's re-serialisation shows in both
    "templates/deployment.yaml": """# deployment comment
kind: Deployment
apiVersion: apps/v1
metadata:
  name: {{ .Release.Name }}-web
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
""",
    "templates/service.yaml": """# service comment
kind: Service
apiVersion: v1
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
""",
    "templates/hook.yaml": """# hook comment
kind: ConfigMap
apiVersion: v1
metadata:
  name: {{ .Release.Name }}-hook
  annotations: {"helm.sh/hook": pre-install}
""",
}
USER_PLUGIN = "name: user-plugin\nversion: 0.1.0\nusage: a plugin of the user's\ncommand: \"$HELM_PLUGIN_DIR/run.sh\"\n"


def find_helm(var: str) -> tuple[str, int]:
    """(helm binary, its major version) from HELMGEN_HELM3 / HELMGEN_HELM4; fails, never skips."""
    path = os.environ.get(var)
    assert path and Path(path).is_file(), (
        f"{var} must name a helm binary, e.g. {var}=.cache/helm/{'3.18.0' if var.endswith('3') else '4.1.4'}/helm")
    path = str(Path(path).absolute())
    version = subprocess.run([path, "version", "--template", "{{.Version}}"], capture_output=True, text=True,
                             check=True).stdout.strip()
    major = int(version.lstrip("v").split(".")[0])
    assert major == int(var[-1]), f"{var}={path} is helm {version}"
    return path, major


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"])
def helm(request) -> tuple[str, int]:
    return find_helm(request.param)


@pytest.fixture
def helm4() -> tuple[str, int]:
    return find_helm("HELMGEN_HELM4")


@pytest.fixture
def chart(tmp_path) -> Path:
    root = tmp_path / "chart"
    for name, text in CHART.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture
def user_env(tmp_path) -> dict[str, str]:
    """A user's environment: own HOME, default helm dirs, one installed plugin; no HELM_*/XDG_* set."""
    home = tmp_path / "home"
    plugin = home / ".local/share/helm/plugins/user-plugin"
    plugin.mkdir(parents=True)
    (plugin / "plugin.yaml").write_text(USER_PLUGIN)
    (plugin / "run.sh").write_text("#!/bin/sh\necho user plugin\n")
    (plugin / "run.sh").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "XDG_"))}
    env["HOME"] = str(home)
    return env


@pytest.fixture
def workdir(tmp_path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    return path


MARK = {"helmgen.test/post-rendered": "yes"}


def spec() -> dict:
    """A spec that marks the Deployment and the Service (k8s podAnnotations / serviceAnnotations) and, through an
    overlay, the hook ConfigMap: what changed shows that, and where, the post-renderer ran."""
    k8s = {"podAnnotations": MARK, "serviceAnnotations": MARK,
           "overlays": [{"kind": "ConfigMap", "name": "r-hook", "patches": [{"path": "data.seen", "value": "yes"}]}]}
    return release_spec(k8s, {"kind": "Deployment", "name": "r-web", "container": "web"},
                        ("spec", "components", "pilot", "k8s"))


def marked(objs: list[dict], major: int) -> list[dict]:
    """What the spec above makes of the chart's objects (the hook only where helm post-renders hooks: Helm 4)."""
    out = []
    for o in objs:
        o = json.loads(json.dumps(o))
        if o["kind"] == "ConfigMap" and major == 4:
            o["data"] = {"seen": "yes"}
        elif o["kind"] == "Deployment":
            o["spec"]["template"]["metadata"]["annotations"] = dict(MARK)
        elif o["kind"] == "Service":
            o["metadata"]["annotations"] = dict(MARK)
        out.append(o)
    return out


def helm_files(env: dict[str, str]) -> dict[str, bytes]:
    """Every file in the user's helm data and config dirs (the cache is helm's own business)."""
    home = Path(env["HOME"])
    return {str(p.relative_to(home)): p.read_bytes() for d in (".local/share/helm", ".config/helm")
            for p in sorted((home / d).rglob("*")) if p.is_file()}


def plugin_list(helm_path: str, env: dict[str, str]) -> str:
    proc = subprocess.run([helm_path, "plugin", "list"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def template(helm_path: str, chart: Path, extra: list[str], env: dict[str, str], cwd: Path | None = None):
    return subprocess.run([helm_path, "template", "r", str(chart), *extra], env=env, cwd=cwd,
                          capture_output=True, text=True)


def objects(text: str) -> list[dict]:
    return sorted((d for d in yaml.safe_load_all(text) if d), key=lambda d: (d["kind"], d["metadata"]["name"]))


def test_helm_template_runs_the_post_renderer_and_leaves_the_users_plugins_alone(helm, chart, user_env, workdir):
    helm_path, major = helm
    own_env = dict(os.environ)
    plain = template(helm_path, chart, [], user_env)
    assert plain.returncode == 0, plain.stderr
    plugins_before, files_before = plugin_list(helm_path, user_env), helm_files(user_env)
    assert "user-plugin" in plugins_before

    with post_renderer(major, spec(), workdir) as (argv, env):
        proc = template(helm_path, chart, argv, {**user_env, **env})
        messages = read_messages(workdir)

    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    # invoked: patched objects are re-serialised (comments gone, keys sorted), for the Deployment and the Service
    for kind, api in (("Deployment", "apps/v1"), ("Service", "v1")):
        assert f"# {kind.lower()} comment" not in out
        assert f"apiVersion: {api}\nkind: {kind}\n" in out
    assert objects(out) == marked(objects(plain.stdout), major), "exactly the spec's changes"
    if major == 3:  # the hook is not post-rendered by Helm 3, so the overlay matched nothing: a warning
        assert len(messages) == 1 and messages[0].startswith("warning: spec.components.pilot.k8s.overlays[0]:")
    else:
        assert messages == []
    assert FILENAME_ANNOTATION not in out
    if major == 4:  # the filename annotation survived our post-renderer, so helm still knows the sources
        assert "# Source: demo/templates/deployment.yaml" in out and "generated-by-postrender" not in out
    else:           # Helm 3 post-renders its final stream, # Source comments included
        assert "# Source: demo/templates/deployment.yaml" not in out
    # private: nothing of ours in the user's env, dirs or plugin list; workdir cleaned up
    assert PLUGIN_NAME not in plugins_before
    assert plugin_list(helm_path, user_env) == plugins_before
    assert helm_files(user_env) == files_before
    assert dict(os.environ) == own_env
    assert env == ({} if major == 3 else {"HELM_PLUGINS": str(workdir.absolute() / "plugins")})
    assert list(workdir.iterdir()) == []


def test_hooks_are_post_rendered_by_helm_4_only(helm, chart, user_env, workdir):
    """Helm 3 post-renders the release's manifests only, Helm 4 its hooks too."""
    helm_path, major = helm
    with post_renderer(major, spec(), workdir) as (argv, env):
        proc = template(helm_path, chart, argv, {**user_env, **env})
    assert proc.returncode == 0, proc.stderr
    hook = next(o for o in objects(proc.stdout) if o["kind"] == "ConfigMap")
    assert ("data" in hook) == (major == 4)
    assert ("# hook comment" in proc.stdout) == (major == 3)


def test_helm_4_finds_the_private_plugin_without_install(helm4, user_env, workdir):
    """Helm 4 loads a plugin dir found through HELM_PLUGINS as is: no `helm plugin install`, no signature."""
    helm_path, major = helm4
    with post_renderer(major, spec(), workdir) as (_, env):
        proc = subprocess.run([helm_path, "plugin", "list"], env={**user_env, **env}, capture_output=True,
                              text=True)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert PLUGIN_NAME in proc.stdout and "postrenderer/v1" in proc.stdout
    assert "user-plugin" not in proc.stdout  # HELM_PLUGINS replaced, for that helm process only


def test_failing_post_renderer_fails_helm_with_our_one_line(helm, chart, user_env, workdir, tmp_path):
    helm_path, major = helm
    missing = tmp_path / "no-such-spec.json"
    line = f"helmgen post-renderer: cannot read the spec file {missing}: No such file or directory"
    with post_renderer(major, spec(), workdir) as (argv, env):
        argv = [str(missing) if a.endswith("postrender-spec.json") else a for a in argv]
        proc = template(helm_path, chart, argv, {**user_env, **env})
        messages = read_messages(workdir)
    assert proc.returncode != 0
    assert messages == [line]
    assert "Traceback" not in proc.stderr
    if major == 3:  # Helm 3 shows a failing post-renderer's stderr
        assert line in proc.stderr.splitlines()
    else:           # Helm 4 drops the plugin's stderr: helmgen must show read_messages() itself
        assert f'plugin "{PLUGIN_NAME}" exited with error' in proc.stderr


def test_post_renderer_ignores_python_files_in_helms_cwd(helm, chart, user_env, workdir, tmp_path):
    """Helm runs the post-renderer in the user's cwd; a yaml.py there must not shadow PyYAML."""
    helm_path, major = helm
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "yaml.py").write_text("raise SystemExit('shadowed')\n")
    with post_renderer(major, spec(), workdir) as (argv, env):
        proc = template(helm_path, chart, argv, {**user_env, **env}, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "apiVersion: apps/v1\nkind: Deployment\n" in proc.stdout


# --- the post_renderer context, no helm -----------------------------------------------------------------

@pytest.mark.parametrize("major", [2, 5])
def test_unknown_helm_major_is_refused(major, workdir):
    with pytest.raises(PostRendererError, match="Helm 3 and 4"):
        with post_renderer(major, spec(), workdir):
            pass


def test_one_workdir_serves_one_helm_run_at_a_time(workdir):
    with post_renderer(4, spec(), workdir):
        with pytest.raises(PostRendererError, match="one workdir per helm run"):
            with post_renderer(3, spec(), workdir):
                pass
        assert (workdir / MESSAGES_FILE).exists()  # the refused second one removed nothing


def test_spec_that_is_not_json_is_refused(workdir):
    with pytest.raises(PostRendererError, match="not JSON-serialisable"):
        with post_renderer(3, {"k8s": object()}, workdir):
            pass
    assert list(workdir.iterdir()) == []


# --- the entry point, no helm ---------------------------------------------------------------------------

def run_entrypoint(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helmgen.postrender_main", *args], input=stdin, cwd=cwd,
                          capture_output=True, text=True)


@pytest.mark.parametrize("case, spec_text, stdin, expected", [
    ("bad_json", "{", "kind: A\n", "is not valid JSON"),
    ("not_an_object", "[]", "kind: A\n", "must hold a JSON object, not list"),
    ("bad_yaml", None, "kind: [A\n", "cannot post-process the rendered manifests"),
])
def test_entrypoint_failure_is_one_line_and_exit_1(case, spec_text, stdin, expected, tmp_path):
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(spec_text if spec_text is not None else json.dumps(spec()))
    messages = tmp_path / "messages.txt"
    proc = run_entrypoint([str(spec_path), str(messages)], stdin, tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("helmgen post-renderer: ") and expected in lines[0], lines
    assert messages.read_text().splitlines() == lines


def test_entrypoint_without_spec_prints_usage(tmp_path):
    proc = run_entrypoint([], "", tmp_path)
    assert proc.returncode == 1 and proc.stderr.startswith("helmgen post-renderer: usage: ")


def test_entrypoint_warnings_go_to_stderr_and_messages_file(tmp_path, monkeypatch, capsysbinary):
    """Helm hides a successful post-renderer's stderr; the messages file carries the warnings."""
    import helmgen.postprocess.stream as stream
    monkeypatch.setattr(stream, "postprocess_stream", lambda text, spec: (text, ["one\ntwo", "three"]))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"kind: A\n")))
    spec_path, messages = tmp_path / "spec.json", tmp_path / "messages.txt"
    spec_path.write_text("{}")
    assert postrender_main.main([str(spec_path), str(messages)]) == 0
    out, err = capsysbinary.readouterr()
    assert out == b"kind: A\n"
    assert err.decode().splitlines() == ["warning: one two", "warning: three"]
    assert messages.read_text().splitlines() == ["warning: one two", "warning: three"]
