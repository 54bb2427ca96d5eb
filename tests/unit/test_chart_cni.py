"""charts/istio-cni rendered with real helm (3 and 4): the istio-cni-node DaemonSet and what it needs on a node
(selector, privileges, host paths, namespace placement), the settings the helm-side profiles and platforms change,
and Istio's istio-cni chart (Go module cache) as the oracle for a few value sets.

Helm binaries: HELMGEN_HELM3 / HELMGEN_HELM4, else the ones scripts/fetch-helm puts under .cache/helm.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from chart_kit import CHARTS, ISTIO_CHARTS, helm_render, one

from behaviour import compare  # tests/equivalence, on sys.path by chart_kit

CHART = CHARTS / "istio-cni"
ISTIO_CNI = ISTIO_CHARTS / "istio-cni"
# the pod template names the chart that made it (tests/equivalence/intended/istio-cni.yaml)
CHART_LABELS = ("spec.template.metadata.labels.helm.sh/chart", "spec.template.metadata.labels.app.kubernetes.io/version")


def render(helm: str, values: dict | None = None, namespace: str = "kube-system", chart: Path = CHART,
           *args: str) -> list[dict]:
    return helm_render(helm, "istio-cni", chart, namespace, values or {}, *args)


def daemonset(objs: list[dict]) -> tuple[dict, dict, dict]:
    ds = one(objs, "DaemonSet", "istio-cni-node")
    pod = ds["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    return ds, pod, container


def host_paths(pod: dict) -> dict[str, str]:
    return {v["name"]: v["hostPath"]["path"] for v in pod["spec"]["volumes"] if "hostPath" in v}


def test_the_daemonset_selects_its_own_pods_and_runs_as_the_charts_account_in_the_release_namespace(helm):
    objs = render(helm)
    ds, pod, container = daemonset(objs)
    assert container["name"] == "install-cni"
    selector = ds["spec"]["selector"]["matchLabels"]
    assert selector == {"k8s-app": "istio-cni-node"}
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert pod["metadata"]["labels"]["sidecar.istio.io/inject"] == "false"
    assert pod["metadata"]["labels"]["istio.io/dataplane-mode"] == "none"
    namespaced = [o for o in objs if o["kind"] in ("DaemonSet", "ConfigMap", "ServiceAccount")]
    assert {o["metadata"]["namespace"] for o in namespaced} == {"kube-system"}
    account = one(objs, "ServiceAccount", pod["spec"]["serviceAccountName"])
    assert account["metadata"]["namespace"] == "kube-system"
    for binding in (o for o in objs if o["kind"] == "ClusterRoleBinding"):
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "istio-cni", "namespace": "kube-system"}]
        one(objs, "ClusterRole", binding["roleRef"]["name"])
    assert container["envFrom"] == [{"configMapRef": {"name": "istio-cni-config"}}]
    one(objs, "ConfigMap", "istio-cni-config")
    assert pod["spec"]["priorityClassName"] == "system-node-critical"
    assert pod["spec"]["nodeSelector"] == {"kubernetes.io/os": "linux"}


def test_install_cni_is_root_with_network_capabilities_but_not_privileged(helm):
    _, pod, container = daemonset(render(helm))
    sc = container["securityContext"]
    assert sc["privileged"] is False and sc["runAsUser"] == 0 and sc["runAsNonRoot"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert set(sc["capabilities"]["add"]) == {"NET_ADMIN", "NET_RAW", "SYS_PTRACE", "SYS_ADMIN", "DAC_OVERRIDE"}
    assert pod["metadata"]["annotations"]["container.apparmor.security.beta.kubernetes.io/install-cni"] == "unconfined"
    assert container["readinessProbe"] == {"httpGet": {"path": "/readyz", "port": 8000}}
    _, pod, container = daemonset(render(helm, {"useAppArmorAnnotation": False, "seLinuxOptions": {"type": "spc_t"}}))
    assert container["securityContext"]["appArmorProfile"] == {"type": "Unconfined"}
    assert container["securityContext"]["seLinuxOptions"] == {"type": "spc_t"}
    assert "container.apparmor.security.beta.kubernetes.io/install-cni" not in pod["metadata"]["annotations"]


def test_host_paths_and_their_mounts(helm):
    _, pod, container = daemonset(render(helm))
    assert host_paths(pod) == {"cni-bin-dir": "/opt/cni/bin", "cni-host-procfs": "/proc", "cni-net-dir": "/etc/cni/net.d",
                               "cni-socket-dir": "/var/run/istio-cni", "cni-netns-dir": "/var/run/netns"}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert set(mounts) <= set(host_paths(pod))
    assert mounts["cni-bin-dir"]["mountPath"] == "/host/opt/cni/bin"
    assert mounts["cni-net-dir"]["mountPath"] == "/host/etc/cni/net.d"
    assert mounts["cni-host-procfs"] == {"mountPath": "/host/proc", "name": "cni-host-procfs", "readOnly": True}

    _, pod, container = daemonset(render(helm, {"ambient": {"enabled": True}, "cniNetnsDir": "/run/netns"}))
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert host_paths(pod)["cni-ztunnel-sock-dir"] == "/var/run/ztunnel"
    assert mounts["cni-ztunnel-sock-dir"]["mountPath"] == "/var/run/ztunnel"
    assert host_paths(pod)["cni-netns-dir"] == "/run/netns"
    assert mounts["cni-netns-dir"] == {"mountPath": "/host/var/run/netns", "mountPropagation": "HostToContainer",
                                       "name": "cni-netns-dir"}
    assert set(mounts) <= set(host_paths(pod))


@pytest.mark.parametrize("platform,bin_dir,conf_dir", [
    ("openshift", "/var/lib/cni/bin", "/etc/cni/multus/net.d"),
    ("k3s", "/var/lib/rancher/k3s/data/cni", "/var/lib/rancher/k3s/agent/etc/cni/net.d"),
    ("microk8s", "/var/snap/microk8s/current/opt/cni/bin", "/var/snap/microk8s/current/args/cni-network"),
])
def test_platforms_move_the_cni_directories(helm, platform, bin_dir, conf_dir):
    _, pod, _ = daemonset(render(helm, {"global": {"platform": platform}}))
    assert (host_paths(pod)["cni-bin-dir"], host_paths(pod)["cni-net-dir"]) == (bin_dir, conf_dir)
    _, pod, _ = daemonset(render(helm, {"global": {"platform": platform}, "cniBinDir": "/mine"}))
    assert host_paths(pod)["cni-bin-dir"] == "/mine"


def test_openshift_uses_multus_unchained_with_the_privileged_scc(helm):
    objs = render(helm, {"global": {"platform": "openshift"}})
    data = one(objs, "ConfigMap", "istio-cni-config")["data"]
    assert data["CHAINED_CNI_PLUGIN"] == "false" and data["CNI_CONF_NAME"] == "istio-cni.conf"
    nad = one(objs, "NetworkAttachmentDefinition", "istio-cni")
    assert nad["metadata"]["namespace"] == "default"
    rules = one(objs, "ClusterRole", "istio-cni")["rules"]
    assert {"apiGroups": ["security.openshift.io"], "resources": ["securitycontextconstraints"],
            "resourceNames": ["privileged"], "verbs": ["use"]} in rules
    _, _, container = daemonset(objs)
    assert container["securityContext"]["seLinuxOptions"] == {"type": "spc_t"}


def test_gke_finds_its_cni_bin_dir_from_the_cluster_version(helm):
    _, pod, _ = daemonset(render(helm, {"global": {"platform": "gke"}}, "kube-system", CHART,
                                 "--kube-version", "1.32.0-gke.100"))
    assert host_paths(pod)["cni-bin-dir"] == "/home/kubernetes/bin"
    objs = render(helm, {"global": {"platform": "gke"}})
    assert host_paths(daemonset(objs)[1])["cni-bin-dir"] == "/opt/cni/bin"
    assert one(objs, "ResourceQuota", "istio-cni-resource-quota")["spec"]["hard"] == {"pods": "5000"}


def test_the_ambient_profile_turns_on_ambient_and_the_user_still_wins(helm):
    objs = render(helm, {"profile": "ambient"})
    assert one(objs, "ConfigMap", "istio-cni-config")["data"]["AMBIENT_ENABLED"] == "true"
    one(objs, "ClusterRole", "istio-cni-ambient")
    assert daemonset(objs)[2]["image"].endswith("-distroless")
    objs = render(helm, {"profile": "ambient", "ambient": {"dnsCapture": False}, "global": {"variant": "debug"}})
    data = one(objs, "ConfigMap", "istio-cni-config")["data"]
    assert (data["AMBIENT_ENABLED"], data["AMBIENT_DNS_CAPTURE"]) == ("true", "false")
    assert daemonset(objs)[2]["image"] == "registry.istio.io/testing/install-cni:latest-debug"


def test_resource_scope_splits_cluster_and_namespace_objects(helm):
    kinds = lambda objs: {o["kind"] for o in objs}  # noqa: E731
    assert kinds(render(helm, {"global": {"resourceScope": "namespace"}})) == {"ServiceAccount", "ConfigMap", "DaemonSet"}
    assert kinds(render(helm, {"global": {"resourceScope": "cluster"}})) == {"ClusterRole", "ClusterRoleBinding"}


@pytest.mark.parametrize("values,message", [
    ({"global": {"platform": "nowhere"}}, "unknown platform nowhere"),
    ({"profile": "nope"}, "unknown profile nope"),
    ({"compatibilityVersion": "0.1"}, "unknown compatibility version 0.1"),
])
def test_unknown_presets_are_refused_as_istio_refuses_them(helm, values, message):
    proc = subprocess.run([helm, "template", "istio-cni", str(CHART), "-f", "-"], input=yaml.safe_dump(values),
                          capture_output=True, text=True)
    assert proc.returncode != 0 and message in proc.stderr


@pytest.mark.parametrize("kube", ["1.28.0", "1.35.0"])
def test_renders_for_the_supported_kubernetes_versions(helm, kube):
    assert daemonset(render(helm, {}, "kube-system", CHART, "--kube-version", kube))


ORACLE_VALUES = [
    {},
    {"profile": "ambient", "global": {"platform": "openshift", "networkPolicy": {"enabled": True}}, "revision": "blue"},
    {"repair": {"repairPods": False, "deletePods": True}, "env": {"EXTRA": 1}, "excludeNamespaces": ["a", "b"],
     "resourceQuotas": {"enabled": True}, "global": {"logAsJson": True, "imagePullSecrets": ["pull"]}},
    {"ambient": {"enabled": True, "shareHostNetworkNamespace": True}, "compatibilityVersion": "1.27",
     "hub": "example.com/istio", "tag": 7, "podLabels": {"team": "net"}, "daemonSetLabels": {"tier": "node"}},
]


@pytest.mark.parametrize("values", ORACLE_VALUES, ids=range(len(ORACLE_VALUES)))
def test_same_objects_as_istios_chart(helm, values):
    if not ISTIO_CNI.is_dir():
        pytest.fail(f"Istio's istio-cni chart not found at {ISTIO_CNI} (Go module cache)")
    theirs = {k: v for k, v in values.items() if k in ("global", "profile", "compatibilityVersion", "revision")}
    theirs["cni"] = {k: v for k, v in values.items() if k not in theirs}
    problems = [p for p in compare(render(helm, values), render(helm, theirs, "kube-system", ISTIO_CNI))
                if not any(f": {path}:" in p for path in CHART_LABELS)]
    assert not problems, "\n".join(problems)
