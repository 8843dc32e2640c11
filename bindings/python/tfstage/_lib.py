"""Loading libtfstage and declaring its C functions (the one table, clang cindex style).

The library is loaded lazily, on first use, from the first of:

1. the path given to :func:`set_library_path`;
2. the ``TFSTAGE_LIBRARY`` environment variable;
3. a ``libtfstage.so*`` next to this package;
4. the build tree of the source checkout (``build/ci``, ``build/dev``, then any other
   directory under ``build/``, newest first: ``<dir>/lib/capi/libtfstage.so``), looked for
   above this package and above the current directory;
5. the system (``ctypes.util.find_library("tfstage")``, then ``libtfstage.so.1``).

Its version is checked against :data:`EXPECTED_MAJOR` and :data:`EXPECTED_MINOR` with the
library's own ``tfs_check_version`` when it has one (the rule of ``TFS_CHECK_VERSION()``: while
tfstage is 0.x only the same minor is compatible, from 1.0 the same major with a minor at least
the expected one), else by the same rule from ``tfs_version()``. Every function of the table
is registered with its argtypes, restype and errcheck; a symbol the library lacks is reported as
a version mismatch (:class:`~tfstage.errors.LibraryVersionError`) when it is called.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import threading
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_void_p
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from .errors import (
    LibraryNotFoundError,
    LibraryVersionError,
    Status,
    TfstageError,
    error_class,
)

__all__ = [
    "EXPECTED_MAJOR",
    "EXPECTED_MINOR",
    "MIN_VERSION",
    "compatible",
    "SCHEMA_VERSION",
    "EventCallback",
    "set_library_path",
    "library_path",
    "library_version",
    "missing_functions",
    "lib",
    "candidates",
]

#: The version of libtfstage these bindings speak (TFS_VERSION_MAJOR, TFS_VERSION_MINOR of the
#: headers they were written against; the package's own version is MAJOR.MINOR.x).
EXPECTED_MAJOR = 0
EXPECTED_MINOR = 1
#: The oldest (major, minor) accepted (while 0.x, also the newest: see :func:`compatible`).
MIN_VERSION = (EXPECTED_MAJOR, EXPECTED_MINOR)
#: The JSON schema_version of requests, results and events (TFS_SCHEMA_VERSION).
SCHEMA_VERSION = 1

PathLike = Union[str, "os.PathLike[str]"]

#: typedef int (*tfs_event_cb)(const char *event_json, void *payload);
EventCallback = ctypes.CFUNCTYPE(c_int, c_char_p, c_void_p)
#: A NULL tfs_event_cb (no callback).
NULL_EVENT_CALLBACK = ctypes.cast(0, EventCallback)


class _tfs_error(ctypes.Structure):
    _fields_ = [("code", c_int), ("message", c_char_p), ("diagnostics_json", c_char_p)]


# ---------------------------------------------------------------------------------------------
# errcheck functions


def _raise_last(status: int, function: str) -> None:
    """Raises the exception for a failed call, from tfs_error_last() of this thread."""
    message = ""
    diagnostics: List[Dict[str, Any]] = []
    try:
        err = _LIB.functions["tfs_error_last"]() if _LIB is not None else None
        if err:
            detail = err.contents
            message = (detail.message or b"").decode("utf-8", "replace")
            raw = (detail.diagnostics_json or b"[]").decode("utf-8", "replace")
            try:
                parsed = json.loads(raw)
                if isinstance(parsed, list):
                    diagnostics = [d if isinstance(d, dict) else {"summary": str(d)} for d in parsed]
            except ValueError:
                diagnostics = [{"severity": "error", "summary": raw}]
    except Exception:  # pragma: no cover - the detail is best effort
        pass
    if not message:
        try:
            name = Status(status).name
        except ValueError:
            name = "UNKNOWN"
        message = "%s failed with TFS_%s (%d)" % (function, name, status)
    raise error_class(status)(message, code=status, diagnostics=diagnostics, function=function)


def _check_status(result: int, func: Any, arguments: Tuple[Any, ...]) -> int:
    if result != 0:
        _raise_last(int(result), getattr(func, "__name__", "tfs_?"))
    return result


def _check_string(result: Optional[bytes], func: Any, arguments: Tuple[Any, ...]) -> str:
    return (result or b"").decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# The table: name, argtypes, restype, errcheck. Every C function of include/tfstage/*.h.

_H = c_void_p  # an opaque handle (tfs_engine *, tfs_plan *, tfs_rollout *, tfs_run *)
_OUT_H = POINTER(c_void_p)  # tfs_x **out
_OUT_S = POINTER(c_void_p)  # char **out: kept as a pointer so that tfs_string_free can release it
_OUT_BORROWED = POINTER(c_char_p)  # const char **out: borrowed, copied at once
_OUT_INT = POINTER(c_int)

_Entry = Tuple[str, List[Any], Any, Optional[Callable[..., Any]]]

FUNCTIONS: List[_Entry] = [
    # common.h
    ("tfs_version", [], c_char_p, _check_string),
    ("tfs_version_number", [_OUT_INT, _OUT_INT, _OUT_INT], c_int, None),
    ("tfs_check_version", [c_int, c_int], c_int, _check_status),
    ("tfs_status_name", [c_int], c_char_p, _check_string),
    ("tfs_error_last", [], POINTER(_tfs_error), None),
    ("tfs_error_clear", [], None, None),
    ("tfs_string_free", [c_void_p], None, None),
    ("tfs_options_keys", [c_char_p, _OUT_S], c_int, _check_status),
    # engine.h
    ("tfs_engine_open", [_OUT_H, c_char_p, c_char_p], c_int, _check_status),
    ("tfs_engine_free", [_H], None, None),
    ("tfs_engine_set_event_callback", [_H, EventCallback, c_void_p], c_int, _check_status),
    ("tfs_engine_cancel", [_H], c_int, _check_status),
    ("tfs_engine_version", [_H, _OUT_S], c_int, _check_status),
    ("tfs_engine_init", [_H, c_char_p], c_int, _check_status),
    ("tfs_engine_workspace_list", [_H, _OUT_S], c_int, _check_status),
    ("tfs_engine_workspace_show", [_H, _OUT_S], c_int, _check_status),
    ("tfs_engine_workspace_new", [_H, c_char_p], c_int, _check_status),
    ("tfs_engine_workspace_select", [_H, c_char_p], c_int, _check_status),
    ("tfs_engine_workspace_select_or_create", [_H, c_char_p], c_int, _check_status),
    ("tfs_engine_workspace_delete", [_H, c_char_p, c_int], c_int, _check_status),
    ("tfs_engine_plan", [_H, c_char_p, _OUT_H], c_int, _check_status),
    ("tfs_engine_apply", [_H, _H, _OUT_S], c_int, _check_status),
    ("tfs_engine_destroy", [_H, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_engine_show_state", [_H, _OUT_S], c_int, _check_status),
    ("tfs_engine_outputs", [_H, c_int, _OUT_S], c_int, _check_status),
    ("tfs_engine_validate", [_H, _OUT_S], c_int, _check_status),
    ("tfs_engine_state_list", [_H, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_engine_show_plan", [_H, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_engine_output_raw", [_H, c_char_p, c_int, _OUT_S], c_int, _check_status),
    ("tfs_engine_stages_suggest", [_H, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_engine_targets_expand", [_H, c_char_p, c_char_p, _OUT_S], c_int, _check_status),
    # plan.h
    ("tfs_plan_open_json_file", [_OUT_H, c_char_p], c_int, _check_status),
    ("tfs_plan_open_json", [_OUT_H, c_char_p, c_size_t], c_int, _check_status),
    ("tfs_plan_open_saved", [_OUT_H, _H, c_char_p], c_int, _check_status),
    ("tfs_plan_free", [_H], None, None),
    ("tfs_plan_changes_present", [_H, _OUT_INT], c_int, _check_status),
    ("tfs_plan_file", [_H, _OUT_BORROWED], c_int, _check_status),
    ("tfs_plan_summary", [_H, _OUT_S], c_int, _check_status),
    ("tfs_plan_changes", [_H, _OUT_S], c_int, _check_status),
    ("tfs_plan_provenance", [_H, _OUT_S], c_int, _check_status),
    ("tfs_plan_hash", [_H, _OUT_S], c_int, _check_status),
    ("tfs_plan_render", [_H, c_int, _OUT_S], c_int, _check_status),
    ("tfs_plan_evaluate_policy", [_H, c_char_p, _OUT_S], c_int, _check_status),
    # address.h
    ("tfs_address_parse", [c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_address_match", [c_char_p, c_char_p, _OUT_INT], c_int, _check_status),
    ("tfs_address_expand", [c_char_p, c_char_p, _OUT_S], c_int, _check_status),
    # rollout.h
    ("tfs_rollout_load", [_OUT_H, c_char_p], c_int, _check_status),
    ("tfs_rollout_free", [_H], None, None),
    ("tfs_rollout_describe", [_H, _OUT_S], c_int, _check_status),
    ("tfs_rollout_graph", [_H, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_rollout_run", [_H, c_char_p, EventCallback, c_void_p, _OUT_H], c_int, _check_status),
    ("tfs_rollout_resume", [_H, c_char_p, c_char_p, EventCallback, c_void_p, _OUT_H], c_int, _check_status),
    ("tfs_rollout_approve", [_H, c_char_p, c_char_p, c_char_p, EventCallback, c_void_p, _OUT_H], c_int, _check_status),
    ("tfs_rollout_rollback", [_H, c_char_p, c_char_p, EventCallback, c_void_p, _OUT_H], c_int, _check_status),
    ("tfs_rollout_validate", [c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_rollout_cancel", [_H], c_int, _check_status),
    ("tfs_run_free", [_H], None, None),
    ("tfs_run_id", [_H, _OUT_BORROWED], c_int, _check_status),
    ("tfs_run_outcome", [_H, _OUT_INT, _OUT_BORROWED], c_int, _check_status),
    ("tfs_run_journal", [_H, _OUT_S], c_int, _check_status),
    ("tfs_rollout_status", [c_char_p, c_char_p, _OUT_S], c_int, _check_status),
    ("tfs_rollout_history", [c_char_p, _OUT_S], c_int, _check_status),
]


# ---------------------------------------------------------------------------------------------
# Finding the library

_lock = threading.RLock()
_explicit_path: Optional[str] = None
_LIB: Optional["Library"] = None

_PACKAGE_DIR = Path(__file__).resolve().parent
_LIB_NAMES = ("libtfstage.so", "libtfstage.so.1")


def set_library_path(path: PathLike) -> None:
    """Uses this libtfstage (a file, or a directory holding libtfstage.so) instead of looking
    for one. Must be called before the library is first used."""
    global _explicit_path
    with _lock:
        if _LIB is not None:
            if os.path.realpath(os.fspath(path)) == os.path.realpath(_LIB.path):
                return
            raise TfstageError(
                "libtfstage is already loaded from %s: call tfstage.set_library_path() before the "
                "first use of the library" % _LIB.path
            )
        _explicit_path = os.fspath(path)


def _in_dir(directory: Path) -> Optional[Path]:
    for name in _LIB_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def _repo_roots() -> List[Path]:
    """Source checkouts that may hold a build tree: above this package (bindings/python/tfstage
    in the checkout) and above the current directory."""
    roots: List[Path] = []
    starts = [_PACKAGE_DIR]
    try:
        starts.append(Path.cwd())
    except OSError:
        pass
    for start in starts:
        for directory in [start, *start.parents]:
            if (directory / "include" / "tfstage" / "tfstage.h").is_file() and directory not in roots:
                roots.append(directory)
                break
    return roots


def _build_tree_candidates() -> List[Path]:
    out: List[Path] = []
    for root in _repo_roots():
        build = root / "build"
        if not build.is_dir():
            continue
        preferred = [build / "ci", build / "dev"]
        try:
            others = sorted(
                (d for d in build.iterdir() if d.is_dir() and d not in preferred),
                key=lambda d: _mtime(d / "lib" / "capi"),
                reverse=True,
            )
        except OSError:
            others = []
        for directory in preferred + others:
            found = _in_dir(directory / "lib" / "capi")
            if found is not None:
                out.append(found)
    return out


def _mtime(path: Path) -> float:
    for name in _LIB_NAMES:
        try:
            return (path / name).stat().st_mtime
        except OSError:
            continue
    return 0.0


def candidates() -> List[Tuple[str, str]]:
    """Where the library would be looked for, in order: (origin, path or name)."""
    out: List[Tuple[str, str]] = []
    if _explicit_path is not None:
        p = Path(_explicit_path)
        out.append(("set_library_path", str(_in_dir(p) or p if p.is_dir() else p)))
        return out
    env = os.environ.get("TFSTAGE_LIBRARY")
    if env:
        p = Path(env)
        out.append(("TFSTAGE_LIBRARY", str(_in_dir(p) or p if p.is_dir() else p)))
        return out
    beside = _in_dir(_PACKAGE_DIR)
    if beside is not None:
        out.append(("next to the package", str(beside)))
    for found in _build_tree_candidates():
        out.append(("build tree", str(found)))
    system = ctypes.util.find_library("tfstage")
    if system:
        out.append(("system", system))
    out.append(("system", "libtfstage.so.1"))
    return out


# ---------------------------------------------------------------------------------------------
# The loaded library


class _Missing:
    """Stands for a function the loaded library lacks: calling it is a version mismatch."""

    def __init__(self, name: str, library: "Library") -> None:
        self.__name__ = name
        self._library = library

    def __call__(self, *args: Any) -> Any:
        raise LibraryVersionError(
            "%s is missing from %s (version %s): these bindings (tfstage %s) need a libtfstage "
            "%d.x that has it; rebuild or point TFSTAGE_LIBRARY at a matching library"
            % (self.__name__, self._library.path, self._library.version, _package_version(), EXPECTED_MAJOR)
        )


def _package_version() -> str:
    from . import __version__

    return __version__


class Library:
    """The loaded libtfstage: ``lib().tfs_engine_open(...)`` calls the declared function."""

    def __init__(self, path: str, origin: str, raw: ctypes.CDLL) -> None:
        self.path = path
        self.origin = origin
        self.raw = raw
        self.version = ""
        #: (major, minor, patch) of the library (tfs_version_number, else parsed from tfs_version).
        self.version_numbers: Tuple[int, int, int] = (0, 0, 0)
        self.missing: List[str] = []
        self.functions: Dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        functions = self.__dict__.get("functions")
        if functions is not None and name in functions:
            return functions[name]
        raise AttributeError(name)

    def register(self, table: Sequence[_Entry]) -> None:
        for name, argtypes, restype, errcheck in table:
            try:
                func = getattr(self.raw, name)
            except AttributeError:
                self.missing.append(name)
                self.functions[name] = _Missing(name, self)
                continue
            func.argtypes = argtypes
            func.restype = restype
            if errcheck is not None:
                func.errcheck = errcheck
            self.functions[name] = func


def _parse_version(text: str) -> Tuple[int, int, int]:
    parts = (text.split("-")[0].split("+")[0].split(".") + ["0", "0", "0"])[:3]
    try:
        return int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        raise LibraryVersionError("libtfstage reports an unreadable version %r" % text) from None


def _load() -> "Library":
    tried: List[str] = []
    errors: List[str] = []
    for origin, path in candidates():
        tried.append("%s (%s)" % (path, origin))
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: no such file" % path)
            if origin in ("set_library_path", "TFSTAGE_LIBRARY"):
                break
            continue
        try:
            raw = ctypes.CDLL(path)
        except OSError as e:
            errors.append(str(e))
            if origin in ("set_library_path", "TFSTAGE_LIBRARY"):
                break
            continue
        return _check(Library(path, origin, raw))
    raise LibraryNotFoundError(
        "libtfstage was not found. Build it (cmake --build build/ci --target tfstage), or name it "
        "with TFSTAGE_LIBRARY=/path/to/libtfstage.so or tfstage.set_library_path(). Tried:\n  "
        + "\n  ".join(tried)
        + ("\nErrors:\n  " + "\n  ".join(errors) if errors else "")
    )


def compatible(library: Tuple[int, ...], expected: Tuple[int, ...]) -> bool:
    """Whether a libtfstage of version ``library`` serves callers written for ``expected``
    ((major, minor), the patch level never matters): the rule of tfs_check_version. While
    ``expected`` is 0.x, only the same minor; from 1.0, the same major and a minor at least
    ``expected``'s."""
    if expected[0] == 0:
        return tuple(library[:2]) == tuple(expected[:2])
    return library[0] == expected[0] and library[1] >= expected[1]


def _needed(expected: Tuple[int, int]) -> str:
    if expected[0] == 0:
        return "%d.%d.x" % expected
    return "%d.%d or a later %d.x" % (expected[0], expected[1], expected[0])


def _raw_function(library: "Library", name: str, argtypes: List[Any], restype: Any) -> Optional[Any]:
    try:
        func = getattr(library.raw, name)
    except AttributeError:
        return None
    func.argtypes = argtypes
    func.restype = restype
    return func


def _check(library: "Library") -> "Library":
    global _LIB
    version_fn = _raw_function(library, "tfs_version", [], c_char_p)
    if version_fn is None:
        raise LibraryVersionError("%s is not libtfstage (it has no tfs_version): check TFSTAGE_LIBRARY" % library.path)
    library.version = (version_fn() or b"").decode("utf-8", "replace")
    number_fn = _raw_function(library, "tfs_version_number", [_OUT_INT, _OUT_INT, _OUT_INT], c_int)
    if number_fn is not None:
        parts = (c_int(), c_int(), c_int())
        number_fn(*(ctypes.byref(p) for p in parts))
        library.version_numbers = (parts[0].value, parts[1].value, parts[2].value)
    else:
        library.version_numbers = _parse_version(library.version)
    expected = (EXPECTED_MAJOR, EXPECTED_MINOR)
    detail = ""
    check_fn = _raw_function(library, "tfs_check_version", [c_int, c_int], c_int)
    if check_fn is not None:
        ok = check_fn(expected[0], expected[1]) == 0
        if not ok:
            error_fn = _raw_function(library, "tfs_error_last", [], POINTER(_tfs_error))
            error = error_fn() if error_fn is not None else None
            if error:
                detail = (error.contents.message or b"").decode("utf-8", "replace")
                clear_fn = _raw_function(library, "tfs_error_clear", [], None)
                if clear_fn is not None:
                    clear_fn()
    else:  # a library older than tfs_check_version: the same rule, from its version string
        ok = compatible(library.version_numbers, expected)
    if not ok:
        raise LibraryVersionError(
            "%s is libtfstage %s, but these bindings (tfstage %s) need libtfstage %s (while tfstage is "
            "0.x only the same minor version is compatible; from 1.0 the same major): install matching "
            "bindings or point TFSTAGE_LIBRARY at a matching library%s"
            % (
                library.path,
                library.version,
                _package_version(),
                _needed(expected),
                (" (the library says: %s)" % detail) if detail else "",
            )
        )
    library.register(FUNCTIONS)
    _LIB = library
    return library


def lib() -> Library:
    """The loaded library (loaded on first call)."""
    library = _LIB
    if library is not None:
        return library
    with _lock:
        if _LIB is not None:
            return _LIB
        return _load()


def library_path() -> str:
    """The path of the loaded library (loading it if needed)."""
    return lib().path


def library_version() -> str:
    """``tfs_version()`` of the loaded library."""
    return lib().version


def missing_functions() -> List[str]:
    """The functions of the table that the loaded library lacks (empty for a matching library)."""
    return list(lib().missing)


def status_name(status: int) -> str:
    """``tfs_status_name``: "TFS_EINVAL" for -2."""
    return str(lib().tfs_status_name(int(status)))


# ---------------------------------------------------------------------------------------------
# Helpers for the classes


def encode(value: Any, what: str, *, path: bool = False, optional: bool = False) -> Optional[bytes]:
    """A Python string (or path) as the bytes of a ``const char *`` argument."""
    if value is None:
        if optional:
            return None
        raise TypeError("%s must be a string, not None" % what)
    if path and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        data = os.fsencode(value) if path else value.encode("utf-8")
    elif isinstance(value, bytes):
        data = value
    else:
        raise TypeError("%s must be a string, not %s" % (what, type(value).__name__))
    if b"\0" in data:
        raise ValueError("%s contains a NUL character" % what)
    return data


def take_string(pointer: c_void_p) -> str:
    """Copies a ``char **out`` string and frees it with tfs_string_free."""
    if not pointer.value:
        return ""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8", "replace")
    finally:
        lib().tfs_string_free(pointer)


def call_string(function: Any, *args: Any) -> str:
    """Calls ``function(*args, &out)`` and returns the out string (copied, then freed)."""
    out = c_void_p()
    try:
        function(*args, ctypes.byref(out))
    except BaseException:
        if out.value:
            lib().tfs_string_free(out)
        raise
    return take_string(out)


def call_json(function: Any, *args: Any) -> Any:
    text = call_string(function, *args)
    try:
        return json.loads(text) if text else None
    except ValueError as e:
        raise TfstageError("%s returned invalid JSON: %s" % (getattr(function, "__name__", "?"), e)) from None


def options_json(options: Optional[Union[str, bytes, Dict[str, Any]]], values: Dict[str, Any]) -> Optional[bytes]:
    """The options JSON of a call: ``values`` (the keyword arguments that were given) merged over
    ``options`` (a dict, or JSON text passed through as it is, for the curious). None when both
    are empty (the library's defaults)."""
    given = {k: v for k, v in values.items() if v is not None}
    if options is None:
        if not given:
            return None
        merged: Dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    elif isinstance(options, (str, bytes)):
        if given:
            raise TypeError("options given as JSON text cannot be combined with keyword arguments")
        return encode(options, "options")
    elif isinstance(options, dict):
        merged = {"schema_version": SCHEMA_VERSION}
        merged.update(options)
    else:
        raise TypeError("options must be a dict or JSON text, not %s" % type(options).__name__)
    merged.update(given)
    try:
        return json.dumps(merged).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise TypeError("options cannot be written as JSON: %s" % e) from None


def str_list(value: Any, what: str) -> Optional[List[str]]:
    """Checks a list-of-strings argument (targets, var_files, ...) before it reaches C."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise TypeError("%s must be a list of strings, not %s" % (what, type(value).__name__))
    out: List[str] = []
    for item in value:
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if not isinstance(item, str):
            raise TypeError("%s must be a list of strings, but holds a %s" % (what, type(item).__name__))
        out.append(item)
    return out


def str_dict(value: Any, what: str) -> Optional[Dict[str, str]]:
    """Checks a {name: value} argument (vars, env) before it reaches C. Values that are not
    strings are written as JSON (as Terraform reads -var values of complex types)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError("%s must be a dict, not %s" % (what, type(value).__name__))
    out: Dict[str, str] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise TypeError("%s keys must be strings, not %s" % (what, type(k).__name__))
        if isinstance(v, str):
            out[k] = v
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, (int, float, list, dict)):
            out[k] = json.dumps(v)
        else:
            raise TypeError("%s[%r] must be a string, not %s" % (what, k, type(v).__name__))
    return out


def check_type(value: Any, types: Any, what: str) -> Any:
    """Checks a scalar option (bool, int, str) before it reaches C; None passes (default)."""
    if value is None:
        return None
    if types is int and isinstance(value, bool):
        raise TypeError("%s must be an int, not bool" % what)
    if not isinstance(value, types):
        names = types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        raise TypeError("%s must be %s, not %s" % (what, names, type(value).__name__))
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return value
