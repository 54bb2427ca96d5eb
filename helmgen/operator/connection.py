"""Which cluster the controller works on, as kopf and helm both need it.

`--kubeconfig`/`--context` (else $KUBECONFIG, else ~/.kube/config) name the cluster as for every other command.
In a pod with none of those, the pod's service account is used: a kubeconfig pointing at the in-cluster API
server with the account's CA and `tokenFile` is written once (helm and lightkube read the token from the file,
so the kubelet's token rotation is followed), and everything else runs as from any kubeconfig.
"""
from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

import yaml
from lightkube import KubeConfig
from lightkube.core.exceptions import ConfigError

from helmgen.kube.client import ClusterError, KubeTarget

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")


def in_cluster_kubeconfig(folder: Path, account: Path = SERVICE_ACCOUNT, env: dict | None = None) -> Path | None:
    """A kubeconfig for the pod's service account in `folder`, or None outside a pod."""
    env = os.environ if env is None else env
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT", "443")
    if not host or not (account / "token").is_file():
        return None
    server = f"https://[{host}]:{port}" if ":" in host else f"https://{host}:{port}"
    config = {"apiVersion": "v1", "kind": "Config", "current-context": "in-cluster",
              "clusters": [{"name": "in-cluster", "cluster": {"server": server,
                                                              "certificate-authority": str(account / "ca.crt")}}],
              "users": [{"name": "service-account", "user": {"tokenFile": str(account / "token")}}],
              "contexts": [{"name": "in-cluster", "context": {"cluster": "in-cluster", "user": "service-account"}}]}
    namespace = account / "namespace"
    if namespace.is_file():
        config["contexts"][0]["context"]["namespace"] = namespace.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="in-cluster-", suffix=".kubeconfig", dir=folder)
    with os.fdopen(fd, "w") as fh:
        yaml.safe_dump(config, fh)
    return Path(name)


def choose_target(kubeconfig: str | None, context: str | None, folder: Path) -> KubeTarget:
    """--kubeconfig, else $KUBECONFIG or ~/.kube/config when there, else the pod's service account."""
    if kubeconfig or os.environ.get("KUBECONFIG") or Path("~/.kube/config").expanduser().is_file():
        return KubeTarget(kubeconfig, context)
    written = in_cluster_kubeconfig(folder)
    if written is None:
        raise ClusterError("no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a pod "
                           "with a service account: say which cluster to watch")
    return KubeTarget(str(written), context)


def connection_fields(target: KubeTarget) -> dict:
    """kopf.ConnectionInfo's fields for the target's cluster and user; ClusterError when unusable."""
    path = target.kubeconfig_path
    try:
        single = KubeConfig.from_file(path).get(context_name=target.context)
    except (OSError, ConfigError, KeyError, ValueError) as e:
        raise ClusterError(f"cannot use kubeconfig {path} ({target.label}): {e}") from None
    if single is None:
        raise ClusterError(f"kubeconfig {path} has no {target.label}")
    cluster, user = single.cluster, single.user
    fields: dict = {"server": cluster.server, "insecure": bool(cluster.insecure) or None,
                    "default_namespace": single.namespace}
    base = Path(path).parent

    def where(value: str) -> str:
        return str(value if Path(value).is_absolute() else base / value)

    if cluster.certificate_auth_data:
        fields["ca_data"] = base64.b64decode(cluster.certificate_auth_data)
    elif cluster.certificate_auth:
        fields["ca_path"] = where(cluster.certificate_auth)
    if user is not None:
        if user.client_cert_data:
            fields["certificate_data"] = base64.b64decode(user.client_cert_data)
        elif user.client_cert:
            fields["certificate_path"] = where(user.client_cert)
        if user.client_key_data:
            fields["private_key_data"] = base64.b64decode(user.client_key_data)
        elif user.client_key:
            fields["private_key_path"] = where(user.client_key)
        token = user.token
        if not token and user.token_file:
            token = Path(where(user.token_file)).read_text().strip()
        if token:
            fields.update(scheme="Bearer", token=token)
        if user.username:
            fields.update(username=user.username, password=user.password)
    return {k: v for k, v in fields.items() if v is not None}
