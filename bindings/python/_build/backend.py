"""The PEP 517 build backend of the tfstage bindings: setuptools when the build environment has
it (with wheel), otherwise a small builder from the standard library alone.

Why: `pip install ./bindings/python` builds in an isolated environment and would download
setuptools from an index first. Offline (CI, air-gapped machines, Debian's python3 with no
index) that fails. The package is pure Python, so its wheel is a zip of the package plus
metadata: this backend needs nothing (`requires = []`) and falls back to writing that zip
itself. The metadata comes from pyproject.toml's [project] table in both cases.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent.parent  # bindings/python
PACKAGE = "tfstage"

def _find_setuptools() -> Any:
    """setuptools' backend when the build environment has it and wheel (which its bdist_wheel
    needs before setuptools 70); None otherwise."""
    try:
        import importlib.util

        from setuptools import build_meta  # type: ignore[import]

        return build_meta if importlib.util.find_spec("wheel") is not None else None
    except Exception:  # pragma: no cover - depends on the build environment
        return None


_setuptools = _find_setuptools()


# -- metadata ---------------------------------------------------------------------------------


def _project() -> Dict[str, Any]:
    text = (HERE / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # Python 3.11+

        return dict(tomllib.loads(text)["project"])
    except ImportError:
        pass
    # Python < 3.11: the few plain `key = "value"` lines of [project] that the metadata needs.
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[)", text + "\n[", re.S | re.M)
    project: Dict[str, Any] = {}
    for key, value in re.findall(r'^(\w[\w-]*)\s*=\s*"([^"]*)"\s*$', section.group(1) if section else "", re.M):
        project[key] = value
    return project


def _name_version() -> Tuple[str, str]:
    project = _project()
    return str(project["name"]), str(project["version"])


def _metadata() -> str:
    project = _project()
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % project["name"],
        "Version: %s" % project["version"],
    ]
    if project.get("description"):
        lines.append("Summary: %s" % project["description"])
    if project.get("requires-python"):
        lines.append("Requires-Python: %s" % project["requires-python"])
    for classifier in project.get("classifiers", []) if isinstance(project.get("classifiers"), list) else []:
        lines.append("Classifier: %s" % classifier)
    body = ""
    readme = HERE / "README.md"
    if readme.is_file():
        lines.append("Description-Content-Type: text/markdown")
        body = "\n" + readme.read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


# -- the standard-library wheel ---------------------------------------------------------------


def _package_files() -> List[Path]:
    files = []
    for path in sorted((HERE / PACKAGE).rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".pyo"):
            continue
        files.append(path)
    return files


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def _write_wheel(wheel_directory: str, editable: bool) -> str:
    name, version = _name_version()
    dist = re.sub(r"[-_.]+", "_", name)
    wheel_name = "%s-%s-py3-none-any.whl" % (dist, version)
    dist_info = "%s-%s.dist-info" % (dist, version)
    entries: List[Tuple[str, bytes]] = []
    if editable:
        entries.append(("__editable__.%s.pth" % dist, (str(HERE) + "\n").encode()))
    else:
        for path in _package_files():
            entries.append((path.relative_to(HERE).as_posix(), path.read_bytes()))
    entries.append(("%s/METADATA" % dist_info, _metadata().encode("utf-8")))
    entries.append(
        (
            "%s/WHEEL" % dist_info,
            b"Wheel-Version: 1.0\nGenerator: tfstage-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
    )
    entries.append(("%s/top_level.txt" % dist_info, (PACKAGE + "\n").encode()))
    record = [_record_line(n, d) for n, d in entries] + ["%s/RECORD,," % dist_info]
    entries.append(("%s/RECORD" % dist_info, ("\n".join(record) + "\n").encode()))
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w", zipfile.ZIP_DEFLATED) as archive:
        for entry_name, data in entries:
            info = zipfile.ZipInfo(entry_name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel_name


# -- PEP 517 hooks ------------------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    if _setuptools is not None:
        try:
            return str(_setuptools.build_wheel(wheel_directory, config_settings, None))
        except Exception:  # pragma: no cover - fall back to the plain builder
            pass
    return _write_wheel(wheel_directory, editable=False)


def build_editable(
    wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None
) -> str:
    return _write_wheel(wheel_directory, editable=True)


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    name, version = _name_version()
    base = "%s-%s" % (re.sub(r"[-_.]+", "_", name), version)
    files = [HERE / "pyproject.toml", HERE / "README.md", HERE / "_build" / "backend.py", *_package_files()]
    os.makedirs(sdist_directory, exist_ok=True)
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for file in files:
            if file.is_file():
                archive.add(str(file), arcname="%s/%s" % (base, file.relative_to(HERE).as_posix()))
        info = tarfile.TarInfo("%s/PKG-INFO" % base)
        data = _metadata().encode("utf-8")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return base + ".tar.gz"
