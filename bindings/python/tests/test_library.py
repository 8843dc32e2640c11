"""Loading the library: the lookup order, the version check, missing symbols, status codes."""

from __future__ import annotations

import ctypes.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

import tfstage
from tfstage import _lib
from tfstage.errors import Status, error_class

from conftest import PACKAGE_ROOT, REPO_ROOT


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


def test_version_numbers_and_the_header_agree() -> None:
    major, minor, patch = tfstage.version_info()
    assert "%d.%d.%d" % (major, minor, patch) == tfstage.version()
    parts = (ctypes.c_int(), ctypes.c_int(), ctypes.c_int())
    number = _lib.lib().tfs_version_number(*(ctypes.byref(p) for p in parts))
    assert tuple(p.value for p in parts) == (major, minor, patch)
    assert number == major * 1000000 + minor * 1000 + patch
    # The header's macros, the package's version and what it expects are one version.
    header = (REPO_ROOT / "include" / "tfstage" / "common.h").read_text()
    macros = {name: int(value) for name, value in re.findall(r"#define TFS_VERSION_(MAJOR|MINOR|PATCH) (\d+)", header)}
    assert (macros["MAJOR"], macros["MINOR"], macros["PATCH"]) == (major, minor, patch)
    assert tfstage.__version__ == tfstage.version()
    assert (_lib.EXPECTED_MAJOR, _lib.EXPECTED_MINOR) == (major, minor)


def test_check_version_follows_the_0x_rule() -> None:
    L = _lib.lib()
    major, minor, _ = tfstage.version_info()
    assert L.tfs_check_version(major, minor) == 0
    with pytest.raises(tfstage.Unsupported) as info:
        L.tfs_check_version(major, minor + 1)
    assert tfstage.version() in info.value.message and "%d.%d" % (major, minor + 1) in info.value.message
    with pytest.raises(tfstage.Unsupported):
        L.tfs_check_version(major + 1, 0)
    if major == 0 and minor > 0:
        with pytest.raises(tfstage.Unsupported, match="same minor"):
            L.tfs_check_version(0, minor - 1)
    with pytest.raises(tfstage.InvalidArgument):
        L.tfs_check_version(-1, 0)
    # The Python rule is the same.
    assert _lib.compatible((0, 1, 5), (0, 1))
    assert not _lib.compatible((0, 2, 0), (0, 1))
    assert not _lib.compatible((0, 1, 0), (0, 2))
    assert not _lib.compatible((1, 1, 0), (0, 1))
    assert _lib.compatible((1, 3, 0), (1, 2))
    assert not _lib.compatible((1, 1, 0), (1, 2))
    assert not _lib.compatible((2, 0, 0), (1, 0))


def test_another_minor_version_is_refused_while_0x() -> None:
    major, minor, _ = tfstage.version_info()
    code = (
        "import tfstage, tfstage._lib as l\n"
        "l.EXPECTED_MINOR = %d\n"
        "try:\n"
        "    tfstage.version()\n"
        "    print('LOADED')\n"
        "except tfstage.LibraryVersionError as e:\n"
        "    print('MISMATCH', e)\n" % (minor + 1)
    )
    result = run_python(code, TFSTAGE_LIBRARY=tfstage.library_path())
    assert result.returncode == 0, result.stderr
    assert "MISMATCH" in result.stdout, result.stdout
    # Both versions are named: the library's and the one these bindings need.
    assert tfstage.version() in result.stdout
    assert "%d.%d" % (major, minor + 1) in result.stdout


def test_a_library_without_check_version_is_checked_in_python() -> None:
    """An older libtfstage (no tfs_check_version, no tfs_version_number): the same rule from
    its version string."""
    code = (
        "import ctypes, tfstage, tfstage._lib as l\n"
        "class Raw:\n"
        "    def __init__(self, raw, version):\n"
        "        self._raw, self._version = raw, version\n"
        "    def __getattr__(self, name):\n"
        "        if name in ('tfs_check_version', 'tfs_version_number'):\n"
        "            raise AttributeError(name)\n"
        "        if name == 'tfs_version':\n"
        "            f = lambda: self._version\n"
        "            return f\n"
        "        return getattr(self._raw, name)\n"
        "raw = ctypes.CDLL(%r)\n"
        "for version, expected in ((b'0.1.7', (0, 1)), (b'0.2.0', (0, 1)), (b'1.4.0', (1, 2))):\n"
        "    l.EXPECTED_MAJOR, l.EXPECTED_MINOR = expected\n"
        "    try:\n"
        "        library = l._check(l.Library('p', 'test', Raw(raw, version)))\n"
        "        print('OK', version.decode(), library.version_numbers)\n"
        "    except tfstage.LibraryVersionError as e:\n"
        "        print('MISMATCH', version.decode(), e)\n" % tfstage.library_path()
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "OK 0.1.7 (0, 1, 7)", result.stdout
    assert lines[1].startswith("MISMATCH 0.2.0") and "0.1.x" in lines[1], result.stdout
    assert lines[2].startswith("OK 1.4.0"), result.stdout


def test_every_function_of_the_table_is_declared() -> None:
    names = [entry[0] for entry in _lib.FUNCTIONS]
    assert len(names) == len(set(names))
    # Every function declared in the headers is in the table.
    headers = REPO_ROOT / "include" / "tfstage"
    assert headers.is_dir(), headers
    declared = set()
    for header in headers.glob("*.h"):
        declared.update(re.findall(r"TFS_EXTERN\([^)]*\)\s*(tfs_\w+)\s*\(", header.read_text()))
    assert declared == set(names)


def test_the_library_has_every_function_of_the_table() -> None:
    assert tfstage.missing_functions() == [], "libtfstage %s (%s) lacks these functions" % (
        tfstage.version(),
        tfstage.library_path(),
    )


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


# -- The lookup order, from a copy of the package outside the checkout ---------------------------
# Each case runs in a fresh child (the library is loaded once per process), with the copy first
# on PYTHONPATH and its working directory outside the checkout (so no build tree is found). The
# child reports the package it imported, tfstage's library path and origin, and the libtfstage
# files the dynamic loader actually mapped.

REPORT = """
import json, os
import tfstage
from tfstage import _lib
report = {"package": tfstage.__file__, "candidates": _lib.candidates()}
try:
    report["version"] = tfstage.version()
    report["path"] = tfstage.library_path()
    report["origin"] = _lib.lib().origin
except tfstage.LibraryError as e:
    report["error"] = type(e).__name__
    report["message"] = str(e)
mapped = set()
with open("/proc/self/maps") as maps:
    for line in maps:
        fields = line.split(None, 5)
        if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith("libtfstage.so"):
            mapped.add(fields[5].strip())
report["mapped"] = sorted(mapped)
print(json.dumps(report))
"""


@pytest.fixture
def built_library() -> str:
    """The libtfstage.so under test: TFSTAGE_LIBRARY of the test run (ctest sets it)."""
    path = os.path.abspath(os.environ.get("TFSTAGE_LIBRARY") or tfstage.library_path())
    assert os.path.isfile(path), "TFSTAGE_LIBRARY names %s, which is not a file" % path
    return path


def package_copy(tmp_path: Path, library: Optional[str]) -> Path:
    """A copy of the package in tmp_path/site, with ``library`` symlinked beside it as
    libtfstage.so (unless None), and an empty tmp_path/work to run in."""
    assert REPO_ROOT.resolve() not in tmp_path.resolve().parents, "%s is inside the checkout" % tmp_path
    site = tmp_path / "site"
    shutil.copytree(
        PACKAGE_ROOT / "tfstage", site / "tfstage", ignore=shutil.ignore_patterns("__pycache__", "libtfstage.so*")
    )
    if library is not None:
        (site / "tfstage" / "libtfstage.so").symlink_to(library)
    (tmp_path / "work").mkdir()
    return site


def run_report(site: Path, cwd: Path, **env: str) -> Dict[str, Any]:
    environment = dict(os.environ)
    environment.pop("TFSTAGE_LIBRARY", None)
    environment.update(env)
    environment["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=str(cwd), env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report: Dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    # The copy was imported, not the source tree's package.
    assert Path(report["package"]).resolve() == (site / "tfstage" / "__init__.py").resolve(), report
    # Outside the checkout: no build tree is a candidate.
    assert "build tree" not in [origin for origin, _ in report["candidates"]], report
    return report


def test_a_library_next_to_the_package_is_found(tmp_path: Path, built_library: str) -> None:
    site = package_copy(tmp_path, built_library)
    report = run_report(site, tmp_path / "work")
    assert report.get("origin") == "next to the package", report
    assert report["path"] == str((site / "tfstage").resolve() / "libtfstage.so")
    assert report["mapped"] == [os.path.realpath(built_library)]
    assert report["version"] == tfstage.version()


def test_the_system_is_searched_last(tmp_path: Path, built_library: str) -> None:
    site = package_copy(tmp_path, None)
    libdir = tmp_path / "lib"
    libdir.mkdir()
    (libdir / "libtfstage.so.1").symlink_to(built_library)
    search = os.pathsep.join(filter(None, [str(libdir), os.environ.get("LD_LIBRARY_PATH")]))
    report = run_report(site, tmp_path / "work", LD_LIBRARY_PATH=search)
    assert report.get("origin") == "system", report
    assert {origin for origin, _ in report["candidates"]} == {"system"}, report
    assert ["system", report["path"]] in report["candidates"]
    # The dynamic loader found it on LD_LIBRARY_PATH: the built library, through the symlink.
    assert report["mapped"] == [os.path.realpath(built_library)]


def test_tfstage_library_comes_before_a_library_next_to_the_package(tmp_path: Path, built_library: str) -> None:
    site = package_copy(tmp_path, built_library)
    report = run_report(site, tmp_path / "work", TFSTAGE_LIBRARY=built_library)
    assert report.get("origin") == "TFSTAGE_LIBRARY", report
    assert report["path"] == built_library
    assert [origin for origin, _ in report["candidates"]] == ["TFSTAGE_LIBRARY"]


def test_a_nonexistent_tfstage_library_is_an_error_not_a_fallback(tmp_path: Path, built_library: str) -> None:
    site = package_copy(tmp_path, built_library)  # a library beside the package is not used instead
    missing = str(tmp_path / "nowhere" / "libtfstage.so")
    report = run_report(site, tmp_path / "work", TFSTAGE_LIBRARY=missing)
    assert report.get("error") == "LibraryNotFoundError", report
    assert missing in report["message"] and "TFSTAGE_LIBRARY" in report["message"], report["message"]
    assert "no such file" in report["message"], report["message"]
    assert report["mapped"] == []


def test_a_library_that_is_not_libtfstage_is_a_version_mismatch() -> None:
    libc = ctypes.util.find_library("c")
    assert libc, "ctypes.util.find_library('c') found no C library"
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
    build = REPO_ROOT / "build"
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
    for status in Status:
        assert tfstage.status_name(status) == "TFS_" + status.name
    assert tfstage.status_name(-99) == "TFS_UNKNOWN"


def test_error_last_never_returns_null() -> None:
    library = _lib.lib()
    library.tfs_error_clear()
    err = library.tfs_error_last()
    assert err
    assert err.contents.code == 0
    assert err.contents.message == b""
    assert err.contents.diagnostics_json == b"[]"
