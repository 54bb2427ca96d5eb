"""What an install is asked to do, and what became of each release."""
from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    wait: bool = True
    timeout: float = 300.0          # seconds each release may take to become ready (facts 7.4: per component)
    dry_run: bool = False
    history_max: int = 10
    take_ownership: bool = False    # adopt objects not yet owned by the release (helmgen adopt)


class Status(enum.Enum):
    INSTALLED = "installed"         # first revision, ready
    UPGRADED = "upgraded"           # a new revision, ready
    UNCHANGED = "unchanged"         # a new revision with the same objects as the one before
    DRY_RUN = "checked"             # --dry-run: the server accepted what would be applied
    ROLLED_BACK = "rolled back"     # failed; the release is back on its previous revision
    REMOVED = "removed"             # a first install failed and was uninstalled: nothing is left
    FAILED = "failed"               # failed, and could not be put back (see the message)
    SKIPPED = "not started"         # a release it needs failed
    INTERRUPTED = "interrupted"
    UNINSTALLED = "uninstalled"     # helmgen uninstall
    NOT_INSTALLED = "not installed"  # helmgen uninstall of a release that is not there
    KEPT = "kept"                   # helmgen uninstall: a revision tag that now points at another revision

    @property
    def ok(self) -> bool:
        return self in (Status.INSTALLED, Status.UPGRADED, Status.UNCHANGED, Status.DRY_RUN, Status.UNINSTALLED,
                        Status.NOT_INSTALLED, Status.KEPT)


@dataclass(frozen=True)
class Outcome:
    release: str
    namespace: str
    status: Status
    revision: int = 0               # the release's revision now (0: none)
    message: str = ""               # why it failed, what was recovered
    seconds: float = 0.0
