"""What every command shares: input options, running a command with errors mapped to exit codes."""
from __future__ import annotations

import asyncio
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


def input_options(fn: Callable) -> Callable:
    fn = click.option("--force", is_flag=True, help="Report validation errors as warnings and go on.")(fn)
    fn = click.option("--manifests", "-d", metavar="DIR",
                      help="Take profiles from an Istio release's manifests/ folder.")(fn)
    fn = click.option("--revision", "-r", metavar="R", help="Control-plane revision (same as --set revision=R).")(fn)
    fn = click.option("--set", "-s", "sets", multiple=True, metavar="PATH=VALUE",
                      help="Override a field, relative to spec (repeatable), e.g. values.pilot.autoscaleMin=2.")(fn)
    fn = click.option("-f", "--filename", "files", multiple=True, required=True, metavar="IOP",
                      help="IstioOperator file (repeatable; later files win; '-' reads stdin, last only).")(fn)
    return fn


def _options(files, sets, revision, manifests, force):
    from helmgen.api import Options

    names = [f for item in files for f in item.split(",") if f.strip()]
    return Options(tuple(names), tuple(sets), revision, manifests, force)


def _warn(problems: list[Problem]) -> None:
    _print_problems(problems, "warning")




async def gather(coros):
    return await asyncio.gather(*coros)
