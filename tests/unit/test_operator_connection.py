"""Which cluster `helmgen operator run` works on: a kubeconfig, or the pod's service account."""
import base64

import pytest
import yaml

from helmgen.kube.client import ClusterError, KubeTarget
from helmgen.operator.connection import connection_fields, in_cluster_kubeconfig


@pytest.fixture
def account(tmp_path):
    folder = tmp_path / "sa"
    folder.mkdir()
    (folder / "token").write_text("tok-1\n")
    (folder / "ca.crt").write_text("CA")
    (folder / "namespace").write_text("istio-operator")
    return folder


def test_in_cluster_kubeconfig_uses_the_token_file_and_the_pod_namespace(tmp_path, account):
    path = in_cluster_kubeconfig(tmp_path / "out", account, {"KUBERNETES_SERVICE_HOST": "10.0.0.1",
                                                             "KUBERNETES_SERVICE_PORT": "443"})
    config = yaml.safe_load(path.read_text())
    assert config["clusters"][0]["cluster"] == {"server": "https://10.0.0.1:443",
                                                "certificate-authority": str(account / "ca.crt")}
    assert config["users"][0]["user"] == {"tokenFile": str(account / "token")}
    assert config["contexts"][0]["context"]["namespace"] == "istio-operator"
    fields = connection_fields(KubeTarget(str(path)))
    assert fields["server"] == "https://10.0.0.1:443" and fields["token"] == "tok-1"
    assert fields["ca_path"] == str(account / "ca.crt") and fields["default_namespace"] == "istio-operator"


def test_ipv6_service_host_is_bracketed(tmp_path, account):
    path = in_cluster_kubeconfig(tmp_path, account, {"KUBERNETES_SERVICE_HOST": "fd00::1"})
    assert yaml.safe_load(path.read_text())["clusters"][0]["cluster"]["server"] == "https://[fd00::1]:443"


def test_outside_a_pod_there_is_no_in_cluster_kubeconfig(tmp_path, account):
    assert in_cluster_kubeconfig(tmp_path, account, {}) is None
    assert in_cluster_kubeconfig(tmp_path, tmp_path / "none", {"KUBERNETES_SERVICE_HOST": "h"}) is None


def test_client_certificates_as_data_and_as_relative_paths(tmp_path):
    data = base64.b64encode(b"PEM").decode()
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "a",
              "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443",
                                                     "certificate-authority-data": data}}],
              "users": [{"name": "u", "user": {"client-certificate": "pki/admin.crt", "client-key-data": data}}],
              "contexts": [{"name": "a", "context": {"cluster": "c", "user": "u"}}]}
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    fields = connection_fields(KubeTarget(str(path)))
    assert fields["ca_data"] == b"PEM" and fields["private_key_data"] == b"PEM"
    assert fields["certificate_path"] == str(tmp_path / "pki" / "admin.crt")
    assert "token" not in fields and "insecure" not in fields


def test_unusable_kubeconfig_names_the_file_and_context(tmp_path):
    with pytest.raises(ClusterError, match="nope"):
        connection_fields(KubeTarget(str(tmp_path / "nope")))
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [],
                                    "contexts": []}))
    with pytest.raises(ClusterError, match="context missing"):
        connection_fields(KubeTarget(str(path), "missing"))
