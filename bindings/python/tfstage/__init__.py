"""tfstage: staged Terraform / OpenTofu rollouts, from Python.

The Python bindings of libtfstage's C ABI (include/tfstage/*.h), over ctypes. The library is
loaded on first use; see :func:`set_library_path` and the ``TFSTAGE_LIBRARY`` environment
variable, and bindings/python/README.md.
"""

from __future__ import annotations

__version__ = "0.1.0"

from ._events import Event, EventHandler
from typing import List, Tuple

from ._lib import (
    EXPECTED_MAJOR,
    EXPECTED_MINOR,
    SCHEMA_VERSION,
    call_json,
    encode,
    lib,
    library_path,
    library_version,
    missing_functions,
    set_library_path,
    status_name,
)
from . import address
from .address import expand as expand_address
from .address import match as match_address
from .address import parse as parse_address
from .engine import Engine, Plan, RenderFormat
from .errors import (
    AwaitingApproval,
    Cancelled,
    ClosedError,
    DeadlineExceeded,
    Diagnostic,
    EngineError,
    InvalidArgument,
    IOFailure,
    LibraryError,
    LibraryNotFoundError,
    LibraryVersionError,
    Locked,
    NotFound,
    ParseError,
    PolicyViolation,
    StalePlan,
    Status,
    TfstageError,
    Timeout,
    Unconverged,
    Unsupported,
)
from .rollout import Rollout, Run, RunningRollout, history, status, validate


def version() -> str:
    """The loaded library's version (``tfs_version()``)."""
    return library_version()


def version_info() -> Tuple[int, int, int]:
    """The loaded library's (major, minor, patch) (``tfs_version_number``)."""
    return lib().version_numbers


def option_keys(kind: str) -> List[str]:
    """The keys one kind of options accepts (``tfs_options_keys``): ``"engine"``, ``"init"``,
    ``"plan"``, ``"destroy"``, ``"run"``, ``"rollback"`` or ``"plan_source"``. Any other key is refused with :class:`InvalidArgument`."""
    document = call_json(lib().tfs_options_keys, encode(kind, "kind"))
    return [str(key) for key in document["keys"]]


__all__ = [
    "__version__",
    "version",
    "version_info",
    "option_keys",
    "EXPECTED_MAJOR",
    "EXPECTED_MINOR",
    "SCHEMA_VERSION",
    "set_library_path",
    "library_path",
    "library_version",
    "missing_functions",
    "status_name",
    "Event",
    "EventHandler",
    "Engine",
    "Plan",
    "RenderFormat",
    "Rollout",
    "Run",
    "RunningRollout",
    "status",
    "history",
    "validate",
    "address",
    "parse_address",
    "match_address",
    "expand_address",
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
]
