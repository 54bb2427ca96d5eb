"""Writing a translation to OUTDIR: plan.yaml, <release>.values.yaml, helmfile.yaml, README.md.

Everything is written to a temporary folder beside OUTDIR and moved into place at the end, so on
any error nothing appears in OUTDIR (and a previous output stays as it was).
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import yaml

from helmgen import chartgen
from helmgen.api import ReleaseValues, Translation, charts_dir
from helmgen.errors import InputError, Problem
from helmgen.goformat import quote_go_booleans
from helmgen.postrenderer import portable_plugin_files
from helmgen.render_docs import helmfile, plan_document, postrender_file, readme


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:  # shared objects are written out in full
        return True


quote_go_booleans(_Dumper)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=1000,
                     allow_unicode=True)


def render_files(tr: Translation, outdir: Path) -> dict[str, str | bytes]:
    """File name -> content, for everything translate writes."""
    charts = chart_reference(outdir)
    files = {"plan.yaml": dump_yaml(plan_document(tr))}
    for rv in tr.releases:
        files[rv.release.values_file] = dump_yaml(rv.values)
        if rv.postrender is not None:
            files[postrender_file(rv.release)] = json.dumps(rv.postrender, indent=2, sort_keys=True) + "\n"
    if any(rv.postrender is not None for rv in tr.releases):
        files.update(portable_plugin_files("helm-plugins"))
    files["helmfile.yaml"] = dump_yaml(helmfile(tr, charts))
    if not tr.chart_version:  # our charts: also each release's generated chart, for plain Helm and GitOps
        digest = chartgen.iop_hash(tr.resolved.merged)
        for rv in tr.releases:
            files.update(generated_chart_files(rv, digest))
    files["README.md"] = readme(tr, charts)
    return files


@lru_cache(maxsize=None)
def _chart_files(folder: Path) -> dict[str, bytes]:
    """Every file of one of our charts (read once: several releases, e.g. gateways, share a chart)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def generated_chart_files(rv: ReleaseValues, digest: str) -> dict[str, bytes]:
    """charts/<release>/... and charts/<release>-<version>.tgz (see helmgen.chartgen)."""
    name = rv.release.name
    chart = chartgen.generated_chart(_chart_files(charts_dir() / rv.release.chart), name, rv.values, digest,
                                     f"IstioOperator {digest}")
    version = yaml.safe_load(chart["Chart.yaml"])["version"]
    files: dict[str, bytes] = {f"charts/{name}/{path}": data for path, data in chart.items()}
    files[f"charts/{name}-{version}.tgz"] = chartgen.package(chart, name)
    return files


def chart_reference(outdir: Path) -> str:
    """How OUTDIR's files name our charts: relative when OUTDIR sits inside the project, else absolute."""
    charts, out = charts_dir().resolve(), outdir.resolve()
    if out.is_relative_to(charts.parent):
        return os.path.relpath(charts, out)
    return str(charts)


def write_outdir(files: dict[str, str | bytes], outdir: Path) -> None:
    """Write files into OUTDIR all at once (a previous helmgen output there is replaced)."""
    try:
        _write_outdir(files, outdir.resolve())
    except OSError as e:
        raise InputError([Problem((), f"cannot write {outdir}: {e.strerror or e}; nothing was written")]) from None


def _write_outdir(files: dict[str, str | bytes], outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise InputError([Problem((), f"{outdir} exists and is not a folder")])
    if outdir.is_dir() and any(outdir.iterdir()) and not (outdir / "plan.yaml").is_file():
        raise InputError([Problem((), f"{outdir} is not empty and holds no helmgen output (no plan.yaml); "
                                  "helmgen will not replace it", fix="choose an empty or new folder with -o")])
    outdir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; OUTDIR gets the usual permissions
    try:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                (tmp / name).write_bytes(text)
            elif (tmp / name).write_text(text) and text.startswith("#!"):
                (tmp / name).chmod(0o755)
        if outdir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.old.", dir=outdir.parent))
            os.rename(outdir, old / "out")
            try:
                os.rename(tmp, outdir)
            except OSError:
                os.rename(old / "out", outdir)  # put the previous output back
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, outdir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str) -> None:
    """Write one file atomically: a temporary file beside it, renamed into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes it private; the file gets the usual permissions
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as e:
        raise InputError([Problem((), f"cannot write {path}: {e.strerror or e}; nothing was written")]) from None
