"""The Helm post-renderer: `python -m helmgen.postrender_main SPEC_JSON [MESSAGES_FILE]`.

Reads the rendered YAML stream on stdin, applies `postprocess_stream` with the spec loaded from
SPEC_JSON, writes the result to stdout and exits 0. Warnings go to stderr as `warning: ...` lines.
On failure it writes one `helmgen post-renderer: ...` line to stderr and exits 1, never a traceback.

Helm discards a post-renderer's stderr when it succeeds (Helm 3 and 4) and also when it fails
(Helm 4), so every line written to stderr is appended to MESSAGES_FILE too, when one is given;
helmgen reads it back (`helmgen.postrenderer.read_messages`).

Imports are kept to json and sys (plus the post-processing itself) because helm starts this
process once per release rendered.
"""
from __future__ import annotations

import json
import sys

PREFIX = "helmgen post-renderer"
USAGE = f"{PREFIX}: usage: python -m helmgen.postrender_main SPEC_JSON [MESSAGES_FILE]"


class _Failure(Exception):
    """A failure already phrased for the user."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _report(lines: list[str], messages_file: str | None) -> None:
    """Write lines to stderr and append them to messages_file (best effort: the file is a copy)."""
    if not lines:
        return
    text = "".join(line + "\n" for line in lines)
    sys.stderr.write(text)
    sys.stderr.flush()
    if messages_file:
        try:
            with open(messages_file, "a", encoding="utf-8") as f:
                f.write(text)
        except OSError:
            pass


def _load_spec(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except OSError as exc:
        raise _Failure(f"cannot read the spec file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise _Failure(f"the spec file {path} is not valid JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise _Failure(f"the spec file {path} must hold a JSON object, not {type(spec).__name__}")
    return spec


def _read_stdin() -> str:
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Failure(f"the rendered manifests are not UTF-8: {exc}") from None


def run(argv: list[str]) -> tuple[str, list[str]]:
    """Post-process stdin per the spec named in argv; return the new stream and the warning lines."""
    if len(argv) not in (1, 2) or not argv[0]:
        raise _Failure(USAGE.removeprefix(f"{PREFIX}: "))
    spec = _load_spec(argv[0])
    text = _read_stdin()
    from helmgen.postprocess.stream import postprocess_stream
    try:
        out, warnings = postprocess_stream(text, spec)
    except Exception as exc:  # noqa: BLE001 - anything here becomes the one-line failure
        raise _Failure(f"cannot post-process the rendered manifests: {type(exc).__name__}: {exc}") from None
    return out, [f"warning: {_one_line(w)}" for w in warnings]


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 done, 1 failed)."""
    args = sys.argv[1:] if argv is None else argv
    messages_file = args[1] if len(args) == 2 else None
    try:
        out, warnings = run(args)
        sys.stdout.buffer.write(out.encode("utf-8"))
        sys.stdout.flush()
    except _Failure as exc:
        _report([f"{PREFIX}: {_one_line(str(exc))}"], messages_file)
        return 1
    except KeyboardInterrupt:
        _report([f"{PREFIX}: interrupted"], messages_file)
        return 1
    except BrokenPipeError:
        _report([f"{PREFIX}: helm closed the output pipe"], messages_file)
        return 1
    except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a user
        _report([f"{PREFIX}: unexpected {type(exc).__name__}: {_one_line(str(exc))}"], messages_file)
        return 1
    _report(warnings, messages_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
