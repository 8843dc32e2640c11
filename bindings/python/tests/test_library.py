"""Loading the library: the lookup order, the version check, missing symbols, status codes."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tfstage
from tfstage import _lib
from tfstage.errors import Status, error_class

from conftest import PACKAGE_ROOT, require


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.pop("TFSTAGE_LIBRARY", None)
    environment.update(env)
    environment["PYTHONPATH"] = str(PACKAGE_ROOT)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60)


def test_version_matches_the_package() -> None:
    version = tfstage.version()
    major, minor, _ = (int(p) for p in version.split(".")[:3])
    assert major == tfstage.EXPECTED_MAJOR
    assert (major, minor) >= _lib.MIN_VERSION
    assert os.path.exists(tfstage.library_path())


def test_every_function_of_the_table_is_declared() -> None:
    names = [entry[0] for entry in _lib.FUNCTIONS]
    assert len(names) == len(set(names))
    # Every function declared in the headers is in the table.
    headers = Path(__file__).resolve().parents[3] / "include" / "tfstage"
    if headers.is_dir():
        import re

        declared = set()
        for header in headers.glob("*.h"):
            declared.update(re.findall(r"TFS_EXTERN\([^)]*\)\s*(tfs_\w+)\s*\(", header.read_text()))
        assert declared == set(names)


def test_the_library_named_by_tfstage_library_is_used(tmp_path: Path) -> None:
    path = tfstage.library_path()
    result = run_python("import tfstage; print(tfstage.library_path())", TFSTAGE_LIBRARY=path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == path


def test_set_library_path_comes_first() -> None:
    path = tfstage.library_path()
    code = (
        "import tfstage\n"
        "tfstage.set_library_path(%r)\n"
        "print(tfstage.library_path())\n" % path
    )
    result = run_python(code, TFSTAGE_LIBRARY="/nonexistent/libtfstage.so")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == path


def test_a_missing_library_is_a_clear_error() -> None:
    code = (
        "import tfstage\n"
        "try:\n"
        "    tfstage.version()\n"
        "except tfstage.LibraryNotFoundError as e:\n"
        "    print('NOTFOUND', e)\n"
    )
    result = run_python(code, TFSTAGE_LIBRARY="/nonexistent/libtfstage.so")
    assert result.returncode == 0, result.stderr
    assert "NOTFOUND" in result.stdout
    assert "TFSTAGE_LIBRARY" in result.stdout and "/nonexistent/libtfstage.so" in result.stdout


def test_a_library_that_is_not_libtfstage_is_a_version_mismatch() -> None:
    libc = ctypes.util.find_library("c")
    if not libc:
        pytest.skip("no libc to load")
    code = (
        "import tfstage\n"
        "try:\n"
        "    tfstage.version()\n"
        "except tfstage.LibraryVersionError as e:\n"
        "    print('MISMATCH', e)\n"
    )
    result = run_python(code, TFSTAGE_LIBRARY=libc)
    assert result.returncode == 0, result.stderr
    assert "MISMATCH" in result.stdout and "tfs_version" in result.stdout


def test_a_wrong_major_version_is_refused() -> None:
    code = (
        "import tfstage, tfstage._lib as l\n"
        "l.EXPECTED_MAJOR = 7\n"
        "try:\n"
        "    tfstage.version()\n"
        "except tfstage.LibraryVersionError as e:\n"
        "    print('MISMATCH', e)\n"
    )
    result = run_python(code, TFSTAGE_LIBRARY=tfstage.library_path())
    assert result.returncode == 0, result.stderr
    assert "MISMATCH" in result.stdout and "7." in result.stdout


def test_a_missing_symbol_is_reported_as_a_version_mismatch() -> None:
    library = _lib.lib()
    probe = _lib.Library(library.path, library.origin, library.raw)
    probe.version = library.version
    probe.register([("tfs_no_such_function", [], ctypes.c_int, None)])
    assert probe.missing == ["tfs_no_such_function"]
    with pytest.raises(tfstage.LibraryVersionError, match="tfs_no_such_function"):
        probe.tfs_no_such_function()


def test_the_build_tree_is_searched() -> None:
    origins = [origin for origin, _ in _lib.candidates()]
    if "TFSTAGE_LIBRARY" in origins:
        saved = os.environ.pop("TFSTAGE_LIBRARY")
        try:
            origins = [origin for origin, _ in _lib.candidates()]
        finally:
            os.environ["TFSTAGE_LIBRARY"] = saved
    assert origins[-1] == "system"
    build = Path(__file__).resolve().parents[3] / "build"
    if any(build.glob("*/lib/capi/libtfstage.so")):
        assert "build tree" in origins


def test_status_codes_map_to_exception_classes() -> None:
    assert error_class(Status.EINVAL) is tfstage.InvalidArgument
    assert error_class(Status.EENGINE) is tfstage.EngineError
    assert error_class(Status.EAWAITING_APPROVAL) is tfstage.AwaitingApproval
    assert error_class(Status.EIO) is tfstage.IOFailure
    assert error_class(Status.ERROR) is tfstage.TfstageError
    assert error_class(-99) is tfstage.TfstageError
    assert issubclass(tfstage.ClosedError, tfstage.InvalidArgument)
    assert issubclass(tfstage.ParseError, ValueError)


def test_status_names_come_from_the_library() -> None:
    require("tfs_status_name")
    for status in Status:
        assert tfstage.status_name(status) == "TFS_" + status.name
    assert tfstage.status_name(-99) == "TFS_UNKNOWN"


def test_error_last_never_returns_null() -> None:
    require("tfs_error_last", "tfs_error_clear")
    library = _lib.lib()
    library.tfs_error_clear()
    err = library.tfs_error_last()
    assert err
    assert err.contents.code == 0
    assert err.contents.message == b""
    assert err.contents.diagnostics_json == b"[]"
