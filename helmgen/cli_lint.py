"""`helmgen lint PATH...`: IstioOperator files and chart folders checked for CI; exit 1 on any error."""
from __future__ import annotations

import sys

import click

from helmgen.cli_common import _run


class KubeVersion(click.ParamType):
    name = "version"

    def convert(self, value, param, ctx):
        from helmgen.lint.objects import kube_version

        try:
            return kube_version(str(value))
        except ValueError as e:
            self.fail(str(e), param, ctx)


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "sarif"]), default="text",
              show_default=True, help="text for people; json; junit (GitLab, Jenkins); sarif (GitHub code scanning).")
@click.option("--kube-version", type=KubeVersion(), default="1.35", show_default=True,
              help="Kubernetes version whose schemas the rendered objects are checked against (1.32 to 1.37).")
@click.option("--strict", is_flag=True, help="Warnings fail the lint too.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--manifests", "-d", metavar="DIR", help="Check against an Istio release's charts (manifests/).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N", help="Files checked at once (default: "
              "one per core).")
def lint(paths, fmt, kube_version, strict, out, manifests, color, jobs):
    """Check IstioOperator files, folders of them and chart folders: validation, chart schemas, Kubernetes
    schemas of the rendered objects, deprecated settings, k8s fidelity, GitOps drift, `helm lint --strict`."""
    def go():
        from pathlib import Path

        from helmgen import __version__
        from helmgen.lint.reports import render
        from helmgen.lint.rules import RULES
        from helmgen.lint.run import lint as lint_paths
        from helmgen.output import write_file

        results = lint_paths(list(paths), kube_version, manifests, workers=jobs)
        paint = fmt == "text" and not out and (color == "always" or (color == "auto" and sys.stdout.isatty()))
        report = render(results, RULES, fmt, strict=strict, color=paint, tool_version=__version__)
        if out:
            write_file(Path(out), report)
        else:
            click.echo(report, nl=not report.endswith("\n"))
        if any(r.failed(strict) for r in results):
            sys.exit(1)
    _run(go)
