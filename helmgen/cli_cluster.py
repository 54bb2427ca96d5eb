"""The commands that work on clusters: install (= upgrade = apply), uninstall, status, adopt, diff."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import click

from helmgen.cli_common import _options, _run, _warn, gather, input_options
from helmgen.tables import table_lines


class Duration(click.ParamType):
    """A duration as helm writes it (`5m`, `90s`, `1m30s`) or plain seconds; seconds as a float."""

    name = "duration"

    def convert(self, value, param, ctx):
        if isinstance(value, (int, float)):
            return float(value)
        import re
        text = str(value).strip()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text)
        parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", text)
        if not parts or "".join(n + u for n, u in parts) != text:
            self.fail(f"{value!r} is not a duration (examples: 300s, 5m, 1m30s)", param, ctx)
        scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
        return sum(float(n) * scale[u] for n, u in parts)


def cluster_options(fn: Callable) -> Callable:
    fn = click.option("--context", "contexts", multiple=True, metavar="C",
                      help="kubeconfig context (repeatable: the same releases go to each cluster, concurrently).")(fn)
    fn = click.option("--kubeconfig", metavar="K", envvar="HELMGEN_KUBECONFIG",
                      help="kubeconfig file (default $KUBECONFIG, else ~/.kube/config).")(fn)
    return fn


def _targets(kubeconfig, contexts):
    from helmgen.kube.client import KubeTarget

    return [KubeTarget(kubeconfig, c) for c in contexts] or [KubeTarget(kubeconfig, None)]


def _install(files, sets, revision, manifests, force, kubeconfig, contexts, wait, timeout, dry_run, history_max,
             strict):
    def go():
        import asyncio
        import shlex
        import tempfile

        from helmgen.deploy import install as deploy
        from helmgen.deploy.model import Settings
        from helmgen.deploy.summary import summary_text

        with tempfile.TemporaryDirectory(prefix="helmgen-install-") as workdir:
            settings = Settings(wait=wait, timeout=timeout, dry_run=dry_run, history_max=history_max)
            command = shlex.join(["helmgen", *sys.argv[1:]])[:500]
            results = asyncio.run(deploy.install(_options(files, sets, revision, manifests, force), Path(workdir),
                                                 _targets(kubeconfig, contexts), settings, command, strict,
                                                 on_prepared=lambda p: _warn(p.warnings)))
        click.echo(summary_text(results, dry_run))
        if not all(r.ok for r in results):
            sys.exit(3)
    _run(go)


def install_command(name: str, doc: str):
    @click.command(name, help=doc)
    @input_options
    @cluster_options
    @click.option("--wait/--no-wait", default=True, show_default=True,
                  help="Wait for each release's CRDs, Deployments and DaemonSets to be ready before the next.")
    @click.option("--timeout", type=Duration(), default="5m", show_default=True,
                  help="How long each release may take to become ready before it is rolled back.")
    @click.option("--dry-run", is_flag=True, help="Send every release to the API server as a dry run; change "
                  "nothing.")
    @click.option("--history-max", type=click.IntRange(0), default=10, show_default=True,
                  help="Revisions helm keeps per release (0: no limit).")
    @click.option("--strict", is_flag=True, help="Make what istioctl silently drops an error (see template).")
    def command(**kw):
        _install(**kw)
    return command


INSTALL_HELP = ("Install or upgrade every release in order (`helm upgrade --install`), wait for each, roll back "
                "what fails. install, upgrade and apply are the same command.")
COMMANDS = [install_command(name, INSTALL_HELP) for name in ("install", "upgrade", "apply")]


def _tasks(files, sets, revision, manifests, force):
    from helmgen import render
    from helmgen.deploy.release import ReleaseTask

    from helmgen.deploy.tags import PREFIX, tags_of

    resolved, jobs = render.release_jobs(_options(files, sets, revision, manifests, force))
    tags = [ReleaseTask(f"{PREFIX}{t}", j.namespace, "", {"revision": resolved.revision or "default", "tag": t},
                        None, (j.release,)) for j in jobs for t in tags_of(j)]
    return [ReleaseTask(j.release, j.namespace, j.chart, j.values, None, j.needs) for j in jobs] + tags


@click.command()
@click.option("-f", "--filename", "files", multiple=True, metavar="IOP",
              help="IstioOperator file(s) whose releases to remove (repeatable).")
@click.option("--set", "-s", "sets", multiple=True, metavar="PATH=VALUE", help="As for install.")
@click.option("--manifests", "-d", metavar="DIR", help="As for install.")
@click.option("--revision", "-r", metavar="R", help="Remove only the control plane of revision R (release "
              "istiod-R), e.g. the old revision after a canary upgrade.")
@click.option("--purge", is_flag=True, help="Also delete Istio's CustomResourceDefinitions (and with them every "
              "Istio resource in the cluster).")
@click.option("--timeout", type=Duration(), default="5m", show_default=True, help="How long each removal may take.")
@cluster_options
def uninstall(files, sets, manifests, revision, purge, timeout, kubeconfig, contexts):
    """Remove the releases in reverse order (CRDs kept unless --purge)."""
    def go():
        import asyncio
        import shlex

        from helmgen.deploy.progress import progress_for
        from helmgen.deploy.remove import revision_tasks, uninstall_cluster
        from helmgen.deploy.summary import summary_text
        from helmgen.helm import find_helm

        if not files and not revision:
            raise click.UsageError("say what to remove: -f IOP (its releases) or --revision R (one control plane)")
        if revision and purge:
            raise click.UsageError("--purge removes the CRDs every revision uses; it cannot go with --revision")
        tasks = (revision_tasks(_tasks(files, sets, None, manifests, False), revision, bool(files)) if revision
                 else _tasks(files, sets, None, manifests, False))
        h = find_helm()
        command = shlex.join(["helmgen", *sys.argv[1:]])[:500]
        targets = _targets(kubeconfig, contexts)

        async def all_clusters():
            return await asyncio.gather(*(uninstall_cluster(
                h, t, tasks, command, purge, timeout,
                progress_for([x.name for x in tasks], f"{t.context}: " if len(targets) > 1 else "",
                             False if len(targets) > 1 else None), revision) for t in targets))
        results = asyncio.run(all_clusters())
        click.echo(summary_text(results, done="removed"))
        if not all(r.ok for r in results):
            sys.exit(3)
    _run(go)


@click.command()
@click.option("-f", "--filename", "files", multiple=True, metavar="IOP",
              help="IstioOperator file(s): show their releases (default: every Istio release on the cluster).")
@click.option("--set", "-s", "sets", multiple=True, metavar="PATH=VALUE", help="As for install.")
@click.option("--revision", "-r", metavar="R", help="As for install.")
@click.option("--manifests", "-d", metavar="DIR", help="As for install.")
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table",
              show_default=True, help="Output format (json and yaml: one document, per context when there are "
              "several).")
@cluster_options
def status(files, sets, revision, manifests, fmt, kubeconfig, contexts):
    """Releases, their revision and state, and the health of their workloads; exit 3 when not all healthy."""
    def go():
        import asyncio

        from helmgen.deploy.status import cluster_status
        from helmgen.helm import find_helm

        tasks = _tasks(files, sets, revision, manifests, False) if files else None
        h = find_helm()
        targets = _targets(kubeconfig, contexts)
        found = asyncio.run(gather(cluster_status(h, t, tasks) for t in targets))
        doc = {(t.context or "current"): [s.to_json() for s in statuses] for t, statuses in zip(targets, found)}
        if fmt == "json":
            click.echo(json.dumps(doc if len(targets) > 1 else next(iter(doc.values())), indent=2))
        elif fmt == "yaml":
            from helmgen.output import dump_yaml
            click.echo(dump_yaml(doc if len(targets) > 1 else {"releases": next(iter(doc.values()))}), nl=False)
        else:
            for t, statuses in zip(targets, found):
                if len(targets) > 1:
                    click.echo(f"cluster {t.context}:")
                rows = [["RELEASE", "NAMESPACE", "STATE", "REVISION", "CHART", "READY"]]
                rows += [[s.name, s.namespace, s.state, str(s.revision or "-"), s.chart or "-",
                          f"{s.ready}/{s.workloads}"] for s in statuses]
                for line in table_lines(rows):
                    click.echo(line)
                for s in statuses:
                    for item in s.not_ready:
                        click.echo(f"  {s.name}: not ready: {item}")
        if not all(s.healthy for statuses in found for s in statuses):
            sys.exit(3)
    _run(go)


@click.command()
@input_options
@cluster_options
@click.option("--dry-run", is_flag=True, help="Only show what would be adopted; change nothing.")
def adopt(files, sets, revision, manifests, force, kubeconfig, contexts, dry_run):
    """Hand the objects `istioctl install` created over to the Helm releases, in place (then run install)."""
    def go():
        import asyncio
        import shlex
        import tempfile

        from helmgen.deploy import install as deploy
        from helmgen.deploy.adopt import adopt_cluster

        with tempfile.TemporaryDirectory(prefix="helmgen-adopt-") as workdir:
            prepared = deploy.prepare(_options(files, sets, revision, manifests, force), Path(workdir))
            _warn(prepared.warnings)
            command = shlex.join(["helmgen", *sys.argv[1:]])[:500]
            results = asyncio.run(gather(adopt_cluster(prepared, t, command, dry_run)
                                          for t in _targets(kubeconfig, contexts)))
        failed = False
        for result in results:
            if len(results) > 1:
                click.echo(f"cluster {result.target.context}:")
            rows = [["OBJECT", "RELEASE", "ACTION", "NOTES"]]
            rows += [[f.id, f.release, f.action.value, "; ".join(f.notes)] for f in result.findings]
            for line in table_lines(rows):
                click.echo(line)
            counts = {a: sum(1 for f in result.findings if f.action is a) for a in type(result.findings[0].action)} \
                if result.findings else {}
            if result.error:
                click.echo(f"error: {result.error}", err=True)
                failed = True
            elif result.conflicts:
                click.echo(f"{len(result.conflicts)} object(s) cannot be adopted in place (see ACTION conflict); "
                           "nothing was changed.", err=True)
                failed = True
            elif dry_run:
                click.echo(", ".join(f"{n} to {a.value}" for a, n in counts.items() if n) + " (dry run: nothing "
                           "changed)")
            else:
                args = " ".join(shlex.quote(a) for a in sys.argv[2:] if a != "--dry-run")
                click.echo(f"marked {result.marked} object(s) for their Helm releases; now run: helmgen install "
                           f"{args}")
        if failed:
            sys.exit(3)
    _run(go)


@click.command()
@input_options
@cluster_options
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 2 when an install would change something.")
def diff(files, sets, revision, manifests, force, kubeconfig, contexts, color, exit_code):
    """What install would change in the live cluster, per release (server-side dry run; no helm plugin)."""
    def go():
        import asyncio
        import tempfile

        from helmgen.deploy import install as deploy
        from helmgen.deploy.diff import diff_cluster
        from helmgen.helm import find_helm

        with tempfile.TemporaryDirectory(prefix="helmgen-diff-") as workdir:
            prepared = deploy.prepare(_options(files, sets, revision, manifests, force), Path(workdir))
            _warn(prepared.warnings)
            h = find_helm()
            targets = _targets(kubeconfig, contexts)
            found = asyncio.run(gather(diff_cluster(h, prepared, t) for t in targets))
        paint = color == "always" or (color == "auto" and sys.stdout.isatty())
        styles = {"+": "green", "-": "red", "@": "cyan"}
        changes = 0
        for target, diffs in zip(targets, found):
            if len(targets) > 1:
                click.echo(f"cluster {target.context}:")
            for d in diffs:
                changes += not d.empty
                click.echo(f"release {d.namespace}/{d.release}: " + ("no changes" if d.empty else
                           f"{len(d.changed)} changed, {len(d.created)} created, {len(d.deleted)} deleted"))
                for ident in d.created:
                    click.echo(click.style(f"+ {ident} (created)", fg="green") if paint else f"+ {ident} (created)")
                for ident in d.deleted:
                    click.echo(click.style(f"- {ident} (deleted)", fg="red") if paint else f"- {ident} (deleted)")
                for ident, lines in d.changed.items():
                    for line in lines:
                        line = line.rstrip("\n")
                        style = styles.get(line[:1]) if not line.startswith(("+++", "---")) else "bold"
                        click.echo(click.style(line, fg=style) if paint and style in styles.values() else
                                   click.style(line, bold=True) if paint and style == "bold" else line)
                for ident in d.unchecked:
                    click.echo(f"? {ident} (not compared: helmgen has no client model of this kind)")
        if exit_code and changes:
            sys.exit(2)
    _run(go)

COMMANDS += [uninstall, status, adopt, diff]
