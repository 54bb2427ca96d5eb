"""`helmgen operator run|init`: the in-cluster controller, in the foreground or installed by its chart."""
from __future__ import annotations

import shlex
import sys
import tempfile
from pathlib import Path

import click

from helmgen.cli_cluster import Duration, _targets
from helmgen.cli_common import _run


@click.group("operator")
def operator() -> None:
    """Reconcile IstioOperator resources in a cluster into Helm releases (kubectl apply -f iop.yaml works)."""


@operator.command("run")
@click.option("--namespace", "-n", "namespaces", multiple=True, metavar="NS", envvar="HELMGEN_WATCH_NAMESPACES",
              help="Watch IstioOperator resources in NS (repeatable; default: every namespace).")
@click.option("--kubeconfig", metavar="K", envvar="HELMGEN_KUBECONFIG",
              help="kubeconfig file (default $KUBECONFIG, else ~/.kube/config, else the pod's service account).")
@click.option("--context", metavar="C", help="kubeconfig context.")
@click.option("--resync", type=Duration(), default="10m", show_default=True,
              help="How often a healthy resource is compared with the cluster (drift is repaired).")
@click.option("--timeout", type=Duration(), default="5m", show_default=True,
              help="How long each release may take to become ready before it is rolled back.")
@click.option("--manifests", "-d", metavar="DIR", help="Install Istio's charts from an Istio release's "
              "manifests/ folder instead of helmgen's.")
def run(namespaces, kubeconfig, context, resync, timeout, manifests):
    """Run the controller in the foreground until interrupted (for development, tests, and the chart's pod)."""
    def go():
        import asyncio

        from helmgen.deploy.model import Settings
        from helmgen.helm import find_helm
        from helmgen.kube.client import ClusterError
        from helmgen.operator.connection import choose_target, connection_fields
        from helmgen.operator.controller import run as run_controller
        from helmgen.operator.reconcile import Config

        find_helm()  # no helm, or one too old: say so now, not at the first reconcile
        with tempfile.TemporaryDirectory(prefix="helmgen-operator-") as folder:
            target = choose_target(kubeconfig, context, Path(folder))
            connection_fields(target)  # an unusable kubeconfig: exit 3 with its name, before kopf starts
            if not asyncio.run(_crd_present(target)):
                raise ClusterError("the cluster has no IstioOperator CRD (istiooperators.install.istio.io): install "
                                   "it with `helmgen operator init`, or `helm upgrade --install istio-operator "
                                   "charts/istio-operator -n istio-operator --create-namespace`")
            names = [n for item in namespaces for n in item.replace(",", " ").split()]
            click.echo(f"helmgen operator: watching IstioOperators in {', '.join(names) or 'every namespace'}",
                       err=True)
            run_controller(Config(target, Settings(timeout=timeout), manifests), names, resync)
    _run(go)


async def _crd_present(target) -> bool:
    from helmgen.kube.client import async_client
    from helmgen.kube.iop_resources import crd_present

    client = async_client(target)
    try:
        return await crd_present(client)
    finally:
        await client.close()


@operator.command("init")
@click.option("--namespace", "-n", default="istio-operator", show_default=True, help="Namespace of the controller.")
@click.option("--watch", "watched", multiple=True, default=("istio-system",), show_default=True, metavar="NS",
              help="Namespace whose IstioOperators it reconciles (repeatable, or comma separated).")
@click.option("--hub", metavar="HUB", help="Registry of the helmgen image (chart default: ghcr.io/helmgen).")
@click.option("--tag", metavar="TAG", help="Tag of the helmgen image (chart default: helmgen's version).")
@click.option("--resync", metavar="DURATION", help="How often the controller checks for drift (chart default 10m).")
@click.option("--image-pull-secret", "pull_secrets", multiple=True, metavar="NAME")
@click.option("--kubeconfig", metavar="K", envvar="HELMGEN_KUBECONFIG", help="kubeconfig file.")
@click.option("--context", "contexts", multiple=True, metavar="C", help="kubeconfig context (repeatable).")
@click.option("--timeout", type=Duration(), default="5m", show_default=True)
@click.option("--dry-run", is_flag=True, help="Send the release to the API server as a dry run; change nothing.")
def init(namespace, watched, hub, tag, resync, pull_secrets, kubeconfig, contexts, timeout, dry_run):
    """Install the controller (charts/istio-operator, release istio-operator) and the IstioOperator CRD."""
    def go():
        import asyncio

        from helmgen.deploy.model import Settings
        from helmgen.deploy.summary import summary_text
        from helmgen.operator.init import InitOptions, init as init_operator

        names = tuple(n for item in watched for n in item.replace(",", " ").split())
        opts = InitOptions(namespace, names, hub, tag, resync, tuple(pull_secrets))
        settings = Settings(timeout=timeout, dry_run=dry_run)
        command = shlex.join(["helmgen", *sys.argv[1:]])[:500]

        async def all_targets():
            return await asyncio.gather(*(init_operator(opts, t, settings, command)
                                          for t in _targets(kubeconfig, contexts)))
        results = asyncio.run(all_targets())
        click.echo(summary_text(list(results), dry_run))
        if not all(r.ok for r in results):
            sys.exit(3)
    _run(go)
