"""Exceptions: one :class:`TfstageError` subclass per ``tfs_status`` code.

Every call into libtfstage returns an ``int`` status. A non-zero status is turned into the
subclass registered for it here, carrying ``code`` (the status), ``status_name``
(``"TFS_EINVAL"``), ``message`` and ``diagnostics`` (the parsed
``tfs_error_last()->diagnostics_json``: a list of dicts with ``severity``, ``summary``,
``detail``, ``filename``, ``line``, ``column`` and ``address``).
"""

from __future__ import annotations

import enum
from typing import Any, Dict, List, Optional, Type

__all__ = [
    "Status",
    "Diagnostic",
    "TfstageError",
    "InvalidArgument",
    "NotFound",
    "EngineError",
    "StalePlan",
    "Locked",
    "Cancelled",
    "Timeout",
    "ParseError",
    "Unsupported",
    "PolicyViolation",
    "AwaitingApproval",
    "DeadlineExceeded",
    "IOFailure",
    "Unconverged",
    "ClosedError",
    "LibraryError",
    "LibraryNotFoundError",
    "LibraryVersionError",
    "error_class",
]

#: One diagnostic, as the library reports it (keys may be missing or None).
Diagnostic = Dict[str, Any]


class Status(enum.IntEnum):
    """``tfs_status`` (include/tfstage/common.h). Values are never renumbered."""

    OK = 0
    ERROR = -1
    EINVAL = -2
    ENOTFOUND = -3
    EENGINE = -4
    ESTALE = -5
    ELOCKED = -6
    ECANCELLED = -7
    ETIMEOUT = -8
    EPARSE = -9
    EUNSUPPORTED = -10
    EPOLICY = -11
    EAWAITING_APPROVAL = -12
    EDEADLINE = -13
    EIO = -14
    EUNCONVERGED = -15


class TfstageError(Exception):
    """A libtfstage call failed (``TFS_ERROR`` and any code without its own subclass)."""

    #: The status code this class stands for (``None``: any).
    status: Optional[int] = Status.ERROR

    def __init__(
        self,
        message: str,
        code: Optional[int] = None,
        diagnostics: Optional[List[Diagnostic]] = None,
        function: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.code: int = int(code if code is not None else (self.status if self.status is not None else Status.ERROR))
        self.message: str = message
        self.diagnostics: List[Diagnostic] = list(diagnostics or [])
        #: The C function that failed ("tfs_engine_plan"), when known.
        self.function: Optional[str] = function

    @property
    def status_name(self) -> str:
        try:
            return "TFS_" + Status(self.code).name
        except ValueError:
            return "TFS_UNKNOWN"

    def __str__(self) -> str:
        text = self.message or self.status_name
        lines = [text]
        for d in self.diagnostics:
            where = ""
            if d.get("filename"):
                where = str(d["filename"])
                if d.get("line"):
                    where += ":%s" % d["line"]
                    if d.get("column"):
                        where += ":%s" % d["column"]
            summary = str(d.get("summary") or "")
            if (summary and summary not in text) or (where and where not in text):
                severity = str(d.get("severity") or "error")
                lines.append("  %s%s: %s" % (where + ": " if where else "", severity, summary))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "%s(%r, code=%d)" % (type(self).__name__, self.message, self.code)


class InvalidArgument(TfstageError, ValueError):
    """``TFS_EINVAL``: an argument is invalid (NULL, freed handle, wrong type)."""

    status = Status.EINVAL


class NotFound(TfstageError, LookupError):
    """``TFS_ENOTFOUND``: a file, binary, workspace, run or stage does not exist."""

    status = Status.ENOTFOUND


class EngineError(TfstageError):
    """``TFS_EENGINE``: terraform/tofu failed; ``diagnostics`` holds its diagnostics."""

    status = Status.EENGINE


class StalePlan(TfstageError):
    """``TFS_ESTALE``: a saved plan no longer matches the state or its file."""

    status = Status.ESTALE


class Locked(TfstageError):
    """``TFS_ELOCKED``: the state (or a rollout) is locked by someone else."""

    status = Status.ELOCKED


class Cancelled(TfstageError):
    """``TFS_ECANCELLED``: cancelled by the caller or by a callback."""

    status = Status.ECANCELLED


class Timeout(TfstageError):
    """``TFS_ETIMEOUT``: a timeout ran out."""

    status = Status.ETIMEOUT


class ParseError(TfstageError, ValueError):
    """``TFS_EPARSE``: malformed JSON, YAML, rollout file or address."""

    status = Status.EPARSE


class Unsupported(TfstageError):
    """``TFS_EUNSUPPORTED``: the engine, version or schema_version lacks a feature."""

    status = Status.EUNSUPPORTED


class PolicyViolation(TfstageError):
    """``TFS_EPOLICY``: a policy refused the plan."""

    status = Status.EPOLICY


class AwaitingApproval(TfstageError):
    """``TFS_EAWAITING_APPROVAL``: a gate waits for approval."""

    status = Status.EAWAITING_APPROVAL


class DeadlineExceeded(TfstageError):
    """``TFS_EDEADLINE``: a deadline passed."""

    status = Status.EDEADLINE


class IOFailure(TfstageError):
    """``TFS_EIO``: reading or writing a file failed."""

    status = Status.EIO


class Unconverged(TfstageError):
    """``TFS_EUNCONVERGED``: a rollout ended with changes left (its final plan is not empty)."""

    status = Status.EUNCONVERGED


class ClosedError(InvalidArgument):
    """An object was used after ``close()`` (raised in Python; the C library would say TFS_EINVAL)."""


class LibraryError(TfstageError, OSError):
    """libtfstage could not be used (base of the two below)."""

    status = None

    def __init__(self, message: str) -> None:
        TfstageError.__init__(self, message, code=Status.ERROR)

    def __str__(self) -> str:
        return self.message


class LibraryNotFoundError(LibraryError):
    """No libtfstage.so was found (the message lists where it was looked for)."""


class LibraryVersionError(LibraryError):
    """The libtfstage found is not the version these bindings were written for (wrong major
    version, or a function they need is missing)."""


_BY_CODE: Dict[int, Type[TfstageError]] = {
    int(cls.status): cls
    for cls in (
        InvalidArgument,
        NotFound,
        EngineError,
        StalePlan,
        Locked,
        Cancelled,
        Timeout,
        ParseError,
        Unsupported,
        PolicyViolation,
        AwaitingApproval,
        DeadlineExceeded,
        IOFailure,
        Unconverged,
    )
    if cls.status is not None
}


def error_class(code: int) -> Type[TfstageError]:
    """The exception class for a status code (:class:`TfstageError` for TFS_ERROR and unknown codes)."""
    return _BY_CODE.get(int(code), TfstageError)
