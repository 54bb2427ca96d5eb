"""Which cluster, and a client for it.

A KubeTarget names a cluster the way helm and kubectl do: a kubeconfig file (`--kubeconfig`, else
$KUBECONFIG, else ~/.kube/config) and a context in it (`--context`, else the file's current context).
The same target is handed to helm (`--kubeconfig`, `--kube-context`) and to the Kubernetes client, so both
always talk to the same cluster.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from lightkube import AsyncClient, KubeConfig
from lightkube.core.exceptions import ConfigError

from helmgen.errors import HelmgenError

FIELD_MANAGER = "helmgen"


class ClusterError(HelmgenError):
    """The cluster cannot be reached or refused a request helmgen needs (exit code 3)."""

    exit_code = 3


@dataclass(frozen=True)
class KubeTarget:
    kubeconfig: str | None = None
    context: str | None = None

    @property
    def kubeconfig_path(self) -> str:
        """--kubeconfig, else the first file of $KUBECONFIG, else ~/.kube/config."""
        if self.kubeconfig:
            return self.kubeconfig
        env = os.environ.get("KUBECONFIG", "")
        first = next((p for p in env.split(os.pathsep) if p), "")
        return first or os.path.expanduser("~/.kube/config")

    @property
    def label(self) -> str:
        """How messages name this cluster."""
        return f"context {self.context}" if self.context else "the current context"

    def helm_flags(self) -> list[str]:
        flags = ["--kubeconfig", self.kubeconfig_path]
        return flags + (["--kube-context", self.context] if self.context else [])


def async_client(target: KubeTarget, namespace: str | None = None) -> AsyncClient:
    """A lightkube AsyncClient for `target`; ClusterError naming the file and context when unusable."""
    path = target.kubeconfig_path
    try:
        config = KubeConfig.from_file(path)
        single = config.get(context_name=target.context)
    except (OSError, ConfigError, KeyError, ValueError) as e:
        raise ClusterError(f"cannot use kubeconfig {path} ({target.label}): {e}") from None
    if single is None:
        raise ClusterError(f"kubeconfig {path} has no {target.label}")
    try:
        return AsyncClient(config=single, namespace=namespace, field_manager=FIELD_MANAGER, trust_env=False)
    except (OSError, ConfigError, ValueError) as e:
        raise ClusterError(f"cannot connect with kubeconfig {path} ({target.label}): {e}") from None
