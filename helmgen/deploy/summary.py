"""The summary printed at the end of an install: per cluster, every release and what became of it."""
from __future__ import annotations

from helmgen.deploy.install import ClusterResult
from helmgen.tables import table_lines


def summary_text(results: list[ClusterResult], dry_run: bool = False, done: str = "ready") -> str:
    lines: list[str] = []
    for result in results:
        if len(results) > 1:
            lines.append(f"cluster {result.target.context or result.target.kubeconfig_path}:")
        rows = [["RELEASE", "NAMESPACE", "RESULT", "REVISION", "TIME"]]
        rows += [[o.release, o.namespace, o.status.value, str(o.revision or "-"),
                  f"{o.seconds:.1f}s" if o.seconds else "-"]
                 for o in result.outcomes]
        if result.outcomes:
            lines += table_lines(rows)
        for o in result.outcomes:
            if o.message:
                lines.append(f"  {o.release}: {o.message}")
        if result.error:
            lines.append(f"error: {result.error}")
        failed = [o for o in result.outcomes if not o.status.ok]
        if result.ok:
            verb = "checked by the API server (dry run)" if dry_run else done
            lines.append(f"{len(result.outcomes)} release{'s' if len(result.outcomes) != 1 else ''} {verb}.")
        elif failed:
            kept = [o.release for o in result.outcomes if o.status.ok]
            lines.append(f"{len(failed)} release{'s' if len(failed) != 1 else ''} did not succeed"
                         + (f"; {', '.join(kept)} succeeded and stay as they are." if kept else "."))
    return "\n".join(lines)
