"""kube.helm_storage against the testbed: the revisions and states it reads from Helm's storage Secrets are those
`helm history` reports, through install, upgrades, a failed upgrade and a rollback, with Helm 3 and Helm 4;
another storage driver, or a list that fails, sends the caller back to helm."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path

import pytest

from helmgen.helm.releases import Releases
from helmgen.helm.template import find_helm
from helmgen.kube import helm_storage
from helmgen.kube.client import KubeTarget, async_client

NAMESPACE = "helm-storage-e2e"


@pytest.fixture(params=["HELMGEN_HELM3", "HELMGEN_HELM4"], ids=["helm3", "helm4"])
def helm(request):
    path = os.environ.get(request.param)
    assert path and Path(path).is_file(), f"{request.param} must name a helm binary (make test sets it up)"
    return find_helm(path)


@pytest.fixture
def chart(tmp_path) -> Path:
    folder = tmp_path / "chart"
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: storage\nversion: 0.1.0\n")
    (folder / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  n: {{ .Values.n | default 0 | quote }}\n"
        "{{- with .Values.bad }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ . }}\n{{- end }}\n")
    return folder


def _read(kubeconfig: Path, helm, release: str) -> tuple[list | None, list]:
    async def main():
        client = async_client(KubeTarget(str(kubeconfig)))
        try:
            ours = await helm_storage.revisions(client, release, NAMESPACE)
        finally:
            await client.close()
        theirs = await Releases(helm, KubeTarget(str(kubeconfig))).history(release, NAMESPACE)
        return ours, [{"revision": r["revision"], "status": r["status"]} for r in theirs]
    return asyncio.run(main())


def _helm(helm, kubeconfig: Path, *args: str, ok: bool = True) -> None:
    proc = subprocess.run([helm.path, *args, "--namespace", NAMESPACE, "--kubeconfig", str(kubeconfig)],
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode == 0) == ok, proc.stderr


def test_revisions_are_what_helm_history_says(testbed, helm, chart):
    release = f"storage-h{helm.major}"
    kc = testbed.kubeconfig
    assert _read(kc, helm, release) == ([], [])
    _helm(helm, kc, "upgrade", "--install", release, str(chart), "--create-namespace")
    _helm(helm, kc, "upgrade", release, str(chart), "--set", "n=1")
    _helm(helm, kc, "upgrade", release, str(chart), "--set", "bad=Not_A_Valid_Name", ok=False)   # failed
    _helm(helm, kc, "rollback", release, "2")
    ours, theirs = _read(kc, helm, release)
    assert [r["status"] for r in theirs] == ["superseded", "superseded", "failed", "deployed"]
    assert ours == theirs


def test_another_driver_or_an_unreadable_cluster_means_ask_helm(testbed, helm, chart, monkeypatch, tmp_path):
    release = f"storage-driver-h{helm.major}"
    _helm(helm, testbed.kubeconfig, "upgrade", "--install", release, str(chart), "--create-namespace")
    assert _read(testbed.kubeconfig, helm, release)[0] == [{"revision": 1, "status": "deployed"}]
    monkeypatch.setenv("HELM_DRIVER", "configmap")
    assert _read(testbed.kubeconfig, helm, release)[0] is None
    monkeypatch.delenv("HELM_DRIVER")

    dead = tmp_path / "dead-kubeconfig"   # the same cluster entry, at a port where nothing listens
    dead.write_text(re.sub(r"server: https://[^\s]+", "server: https://127.0.0.1:1", testbed.kubeconfig.read_text()))

    async def unreachable():
        client = async_client(KubeTarget(str(dead)))
        try:
            return await helm_storage.revisions(client, release, NAMESPACE)
        finally:
            await client.close()
    assert asyncio.run(unreachable()) is None
