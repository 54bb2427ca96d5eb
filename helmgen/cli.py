"""Command line: parse, call the library, print; map errors to exit codes (0 ok, 1 input, 2 usage).

No traceback ever reaches a user: an unexpected exception prints one line and where to report it.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from helmgen import __version__
from helmgen.cli_cluster import COMMANDS
from helmgen.cli_common import ENV_PREFIX, HelmgenGroup, _options, _run, _warn, input_options
from helmgen.cli_lint import lint
from helmgen.cli_operator import operator
from helmgen.tables import table_lines


@click.group(cls=HelmgenGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                 "auto_envvar_prefix": ENV_PREFIX})
@click.version_option(__version__, prog_name="helmgen")
def main() -> None:
    """helmgen: move Istio installations from IstioOperator to plain Helm releases.

    Every option can also be set in the environment as HELMGEN_<COMMAND>_<OPTION> (e.g. HELMGEN_INSTALL_TIMEOUT=10m,
    HELMGEN_OPERATOR_RUN_RESYNC=1m); a command line option wins over its variable.
    """


@main.command()
@input_options
@click.option("-o", "--output-dir", "outdir", required=True, type=click.Path(file_okay=False), metavar="OUTDIR",
              help="Folder for plan.yaml, <release>.values.yaml, helmfile.yaml and README.md.")
def translate(files, sets, revision, manifests, force, outdir):
    """Write Helm values, a release plan, a helmfile and a README for an IstioOperator."""
    def go():
        from helmgen import api
        from helmgen.output import render_files, write_outdir

        tr = api.translate(_options(files, sets, revision, manifests, force))
        _warn(tr.warnings)
        write_outdir(render_files(tr, Path(outdir)), Path(outdir))
        click.echo(f"wrote {len(tr.releases)} release{'s' if len(tr.releases) != 1 else ''} to {outdir}/ "
                   f"({', '.join(rv.release.name for rv in tr.releases) or 'none enabled'})")
    _run(go)


@main.command()
@input_options
def validate(files, sets, revision, manifests, force):
    """Check IstioOperator files and the values they produce; report every problem with its path."""
    def go():
        from helmgen import api

        tr = api.translate(_options(files, sets, revision, manifests, force))
        _warn(tr.warnings)
        click.echo(f"valid: {len(tr.releases)} release{'s' if len(tr.releases) != 1 else ''} "
                   f"({', '.join(rv.release.name for rv in tr.releases) or 'none enabled'})")
    _run(go)


@main.command()
@input_options
@click.option("-o", "--output", "fmt", type=click.Choice(["table", "json", "yaml"]), default="table",
              help="Output format.")
def plan(files, sets, revision, manifests, force, fmt):
    """Show the releases (name, chart, namespace, order) an IstioOperator becomes."""
    def go():
        from helmgen import api
        from helmgen.render_docs import plan_document

        tr = api.translate(_options(files, sets, revision, manifests, force))
        _warn(tr.warnings)
        doc = plan_document(tr)
        if fmt == "json":
            click.echo(json.dumps(doc, indent=2))
        elif fmt == "yaml":
            from helmgen.output import dump_yaml
            click.echo(dump_yaml(doc), nl=False)
        else:
            click.echo(_table(doc["releases"]))
    _run(go)


@main.command()
@input_options
@click.option("--compat", type=click.Choice(["istioctl"]), default=None,
              help="Render as `istioctl manifest generate` does: every release named istio, in its component's "
              "namespace.")
@click.option("--strict", is_flag=True, help="Make what istioctl silently drops (k8s.volumes, overlays that "
              "match nothing) an error instead of a warning.")
@click.option("--kube-version", metavar="V", help="Kubernetes version charts render for (default 1.32.0, "
              "as istioctl).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the manifests to FILE instead of stdout.")
def template(files, sets, revision, manifests, force, compat, strict, kube_version, output):
    """Render every release with helm template plus post-processing, as one YAML stream."""
    def go():
        from helmgen import render
        from helmgen.output import write_file

        result = render.template(_options(files, sets, revision, manifests, force), compat=compat == "istioctl",
                                 strict=strict, kube_version=kube_version)
        _warn(result.warnings)
        if output:
            write_file(Path(output), result.text)
        else:
            click.echo(result.text, nl=False)
    _run(go)


@main.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]), metavar="SHELL")
def completion(shell):
    """Print the shell completion script for SHELL.

    \b
    bash:  eval "$(helmgen completion bash)"   (in ~/.bashrc)
    zsh:   eval "$(helmgen completion zsh)"    (in ~/.zshrc, after compinit)
    fish:  helmgen completion fish > ~/.config/fish/completions/helmgen.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    script = cls(main, {}, "helmgen", f"_{ENV_PREFIX}_COMPLETE")
    # The template filled in directly: BashComplete.source() first starts bash to check its version, and only
    # helmgen/helm/ starts processes (bash older than 4.4, long gone, cannot use the script).
    click.echo(cls.source_template % script.source_vars())


OUR_CHARTS = ("istio-base", "istiod", "gateways", "istio-cni", "ztunnel")


@main.command()
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the reference to FILE instead of stdout.")
def docs(output):
    """Print the values reference of helmgen's charts (from their schemas and defaults), as Markdown."""
    def go():
        from helmgen import api
        from helmgen.chartdocs import values_reference
        from helmgen.output import write_file

        lines = [line for chart in OUR_CHARTS
                 for line in values_reference(chart, api.chart_schema(chart), api.chart_defaults(chart))]
        text = "\n".join(lines) + "\n"
        if output:
            write_file(Path(output), text)
        else:
            click.echo(text, nl=False)
    _run(go)


def _table(releases: list[dict]) -> str:
    header = ["ORDER", "RELEASE", "COMPONENT", "CHART", "NAMESPACE", "NEEDS"]
    rows = [[str(r["order"]), r["name"], r["component"], r["chart"], r["namespace"], ",".join(r["needs"]) or "-"]
            for r in sorted(releases, key=lambda r: r["order"])]
    return "\n".join(table_lines([header, *rows]))


for _command in [*COMMANDS, lint, operator]:
    main.add_command(_command)


def run() -> None:
    """The `helmgen` program: `main`, then an exit that skips the interpreter's last garbage collections.

    Everything is done by then; the collections would only walk the objects of the ~400 modules loaded (~30 ms of
    every run, measured on `helmgen install`). Frozen objects are still freed, and atexit handlers still run, as
    usual. Not in `main` itself: tests call that in their own process, which must keep collecting."""
    try:
        main()
    finally:
        import gc

        gc.freeze()


if __name__ == "__main__":
    run()
