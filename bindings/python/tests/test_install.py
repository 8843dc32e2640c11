"""`pip install ./bindings/python` works offline, and the installed package runs against the
library: pip's default isolated build (no setuptools in it: the standard-library builder of
_build/backend.py) and --no-build-isolation (the build environment's setuptools when it has it).

pip builds in the source directory, so each case installs from a fresh copy of bindings/python
(without tests/ and any build/ or *.egg-info left in the checkout): the checkout is not written
to, and nothing stale in it can slip into the wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tfstage

from conftest import PACKAGE_ROOT, REPO_ROOT

CHECK = """
import json
import tfstage
print(json.dumps({
    "file": tfstage.__file__,
    "version": tfstage.version(),
    "library": tfstage.library_path(),
    "missing": tfstage.missing_functions(),
    "address": tfstage.parse_address('module.a["k"].aws_s3_bucket.b[0]'),
}))
"""


@pytest.mark.parametrize("isolation", ["isolated", "no-build-isolation"])
def test_pip_install_works_offline(tmp_path: Path, isolation: str) -> None:
    assert REPO_ROOT.resolve() not in tmp_path.resolve().parents, "%s is inside the checkout" % tmp_path
    source = tmp_path / "src"
    shutil.copytree(
        PACKAGE_ROOT,
        source,
        ignore=shutil.ignore_patterns("tests", "build", "dist", "*.egg-info", "__pycache__", "libtfstage.so*"),
    )
    target = tmp_path / "target"
    work = tmp_path / "work"
    work.mkdir()
    environment = dict(os.environ)
    environment.pop("PYTHONPATH", None)
    environment.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    command = [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir"]
    if isolation == "no-build-isolation":
        command.append("--no-build-isolation")
    command += ["--target", str(target), str(source)]
    installed = subprocess.run(command, cwd=str(work), env=environment, capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, "%s\n%s\n%s" % (" ".join(command), installed.stdout, installed.stderr)

    package = target / "tfstage"
    assert (package / "py.typed").is_file(), sorted(p.name for p in package.iterdir())
    assert (package / "__init__.py").is_file()
    dist_info = target / ("tfstage-%s.dist-info" % tfstage.__version__)
    assert (dist_info / "METADATA").is_file(), sorted(p.name for p in target.iterdir())
    if isolation == "isolated":
        # pip's isolated build environment has no setuptools: the standard-library builder ran.
        assert "Generator: tfstage-backend" in (dist_info / "WHEEL").read_text()

    library = os.path.abspath(os.environ.get("TFSTAGE_LIBRARY") or tfstage.library_path())
    environment["PYTHONPATH"] = str(target)
    environment["TFSTAGE_LIBRARY"] = library
    ran = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=str(work), env=environment, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout.splitlines()[-1])
    assert Path(report["file"]).resolve() == (package / "__init__.py").resolve(), report["file"]
    assert report["version"] == tfstage.version()
    assert report["library"] == library
    assert report["missing"] == []
    assert report["address"]["type"] == "aws_s3_bucket"
    assert report["address"]["name"] == "b"
