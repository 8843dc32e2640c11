"""Shared fixtures: the package from the source tree, the project's Terraform CLI config, scratch
roots made of terraform_data only (no provider, no network: each case runs in seconds).

Nothing here skips: a missing CLI config, Terraform binary or library function fails the test
that needs it (a function the library lacks raises LibraryVersionError when called, and
test_library.py checks that the library has every function of the table)."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Callable, Dict, Iterator

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
REPO_ROOT = PACKAGE_ROOT.parent.parent

# The package under test: the source tree's, unless TFSTAGE_TEST_INSTALLED asks for the
# installed one.
if not os.environ.get("TFSTAGE_TEST_INSTALLED"):
    sys.path.insert(0, str(PACKAGE_ROOT))

# Children must not see the caller's Terraform settings.
for _name in list(os.environ):
    if _name.startswith("TF_CLI_ARGS") or _name in ("TF_WORKSPACE", "TFSTAGE_TERRAFORM", "TF_CLI_CONFIG_FILE"):
        del os.environ[_name]
os.environ.setdefault("NO_COLOR", "1")

import tfstage  # noqa: E402


def cli_config_path() -> str:
    path = os.environ.get("TFSTAGE_CLI_CONFIG") or str(REPO_ROOT / ".cache" / "terraformrc")
    if not os.path.isfile(path):
        pytest.fail("no Terraform CLI config at %s: run scripts/setup" % path, pytrace=False)
    return path


@pytest.fixture(scope="session")
def cli_config() -> str:
    return cli_config_path()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


SIMPLE_ROOT = """
variable "x" {
  type    = string
  default = "unset"
}
resource "terraform_data" "a" {
  input = var.x
}
resource "terraform_data" "b" {
  input = "b"
}
output "a" {
  value = terraform_data.a.output
}
"""

SLOW_ROOT = """
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 60"
  }
}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root module with terraform_data.a (input var.x) and terraform_data.b."""
    write(tmp_path / "infra" / "main.tf", SIMPLE_ROOT)
    return tmp_path / "infra"


@pytest.fixture
def engine_factory(cli_config: str) -> Iterator[Callable[..., tfstage.Engine]]:
    made = []

    def make(root_dir: Path, **kwargs: object) -> tfstage.Engine:
        kwargs.setdefault("cli_config", cli_config)
        engine = tfstage.Engine(root_dir, **kwargs)  # type: ignore[arg-type]
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str, Dict[str, str]], Path]:
    """Writes a rollout file and its roots; returns the rollout file's path."""

    def make(rollout_yaml: str, roots: Dict[str, str]) -> Path:
        for name, main_tf in roots.items():
            write(tmp_path / name / "main.tf", main_tf)
        return write(tmp_path / "rollout.yaml", rollout_yaml)

    return make
