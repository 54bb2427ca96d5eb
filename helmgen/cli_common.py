"""What every command shares: input options, running a command with errors mapped to exit codes."""
from __future__ import annotations

import sys
from typing import Any, Callable

import click

from helmgen.errors import HelmgenError, InputError, Problem

REPORT_URL = "https://github.com/helmgen/helmgen/issues"


def _print_problems(problems: list[Problem], label: str = "error") -> None:
    for p in problems:
        click.echo(f"{label}: {p}", err=True)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM ends a run like Ctrl-C: helm is stopped, the cluster lock released


def _run(fn: Callable[[], Any]) -> None:
    import signal

    signal.signal(signal.SIGTERM, _interrupt)
    try:
        fn()
    except click.ClickException:
        raise  # usage errors: click prints them and exits 2
    except InputError as e:
        _print_problems(e.problems)
        n = sum(1 for p in e.problems if p.severity.value == "error")
        click.echo(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.", err=True)
        sys.exit(e.exit_code)
    except HelmgenError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: releases being changed were stopped where they were; run the command again to "
                   "converge (helmgen recovers releases an interrupted run left pending)", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - the one place that turns bugs into a one-line message
        click.echo(f"helmgen: internal error ({type(e).__name__}: {e}). This is a bug in helmgen; please "
                   f"report it at {REPORT_URL} with the command you ran.", err=True)
        sys.exit(1)


ENV_PREFIX = "HELMGEN"


class HelmgenGroup(click.Group):
    """The top-level group: before the first context is made (a run, `--help`, a shell completion), every option
    of every command gets its environment variable (see option_envvar)."""

    def make_context(self, info_name, args, parent=None, **extra):
        if parent is None:
            name_envvars(self, ENV_PREFIX)
        return super().make_context(info_name, args, parent=parent, **extra)


def option_envvar(prefix: str, option: click.Option) -> str:
    """`HELMGEN_<COMMAND>[_<SUBCOMMAND>]_<OPTION>`: the command path and the option's long name (the longest of its
    names), upper case, dashes as underscores: `helmgen template --kube-version` -> HELMGEN_TEMPLATE_KUBE_VERSION.

    click's own auto_envvar_prefix would use the Python parameter name (`fmt` for `--output`), which users never see.
    """
    long_name = max(option.opts, key=lambda o: (o.startswith("--"), len(o))).lstrip("-")
    return f"{prefix}_{long_name}".upper().replace("-", "_")


def name_envvars(command: click.Command, prefix: str) -> None:
    """Give each option its HELMGEN_* variable (idempotent). An option with explicit variables (HELMGEN_KUBECONFIG)
    keeps them, after the command's own, so the more specific one wins."""
    for param in command.params:
        if not isinstance(param, click.Option) or not param.expose_value or getattr(param, "_helmgen_env", False):
            continue
        own = option_envvar(prefix, param)
        given = [param.envvar] if isinstance(param.envvar, str) else list(param.envvar or [])
        param.envvar = [own, *[e for e in given if e != own]] if given else own
        param.allow_from_autoenv = False  # one name per option: click's would be the parameter name
        param.show_envvar = True
        param._helmgen_env = True
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            name_envvars(sub, f"{prefix}_{name}".upper().replace("-", "_"))


def complete_files(ctx, param, incomplete):
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]


def complete_dirs(ctx, param, incomplete):
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="dir")]


def input_options(fn: Callable) -> Callable:
    fn = click.option("--force", is_flag=True, help="Report validation errors as warnings and go on.")(fn)
    fn = click.option("--manifests", "-d", metavar="DIR", shell_complete=complete_dirs,
                      help="Take profiles from an Istio release's manifests/ folder.")(fn)
    fn = click.option("--revision", "-r", metavar="R", help="Control-plane revision (same as --set revision=R).")(fn)
    fn = click.option("--set", "-s", "sets", multiple=True, metavar="PATH=VALUE",
                      help="Override a field, relative to spec (repeatable), e.g. values.pilot.autoscaleMin=2.")(fn)
    fn = click.option("-f", "--filename", "files", multiple=True, required=True, metavar="IOP",
                      shell_complete=complete_files,
                      help="IstioOperator file (repeatable; later files win; '-' reads stdin, last only).")(fn)
    return fn


def _options(files, sets, revision, manifests, force):
    from helmgen.api import Options

    names = [f for item in files for f in item.split(",") if f.strip()]
    return Options(tuple(names), tuple(sets), revision, manifests, force)


def _warn(problems: list[Problem]) -> None:
    _print_problems(problems, "warning")


async def gather(coros):
    import asyncio  # only the cluster commands need it (~20 ms of imports)

    return await asyncio.gather(*coros)
