"""The operations the command has, done from Python through the same C functions (issue 12):
a plan's git commit, engine reads (show -json of a saved plan, one output raw, stage suggestion,
target expansion), rollout validation, the git guard overrides, changed-since, rollback, and
one JSON shape (and one outcome) from the command and from Python. terraform_data only."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

import tfstage
from conftest import write
from test_parity import command

MODULE_ROOT = """
module "net" {
  source = "./modules/net"
}
module "app" {
  source = "./modules/app"
  net_id = module.net.id
}
resource "terraform_data" "a" {
  input = "alpha"
}
variable "secret" {
  type      = string
  default   = "hush"
  sensitive = true
}
output "a_input" {
  value = terraform_data.a.output
}
output "secret" {
  value     = var.secret
  sensitive = true
}
"""


def git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=str(repo))
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


IGNORE = ".terraform/\n.terraform.lock.hcl\n.tfstage/\nterraform.tfstate*\n"


def test_a_plan_made_from_python_records_the_git_commit(tmp_path: Path, engine_factory) -> None:
    write(tmp_path / "main.tf", 'resource "terraform_data" "a" {\n  input = "one"\n}\n')
    write(tmp_path / ".gitignore", IGNORE)
    git(tmp_path, "init", "-q", "-b", "main")
    head = commit_all(tmp_path, "the configuration")
    engine = engine_factory(tmp_path)
    engine.init()
    with engine.plan() as plan:
        record = plan.provenance()
    assert record["git"]["commit"] == head
    assert record["git"]["branch"] == "main"
    assert record["git"]["dirty"] is False


def test_engine_reads_what_the_command_reads(tmp_path: Path, engine_factory, cli_config: str) -> None:
    write(tmp_path / "main.tf", MODULE_ROOT)
    write(tmp_path / "modules" / "net" / "main.tf", 'resource "terraform_data" "n" {}\noutput "id" {\n  value = terraform_data.n.id\n}\n')
    write(tmp_path / "modules" / "app" / "main.tf", 'variable "net_id" {}\nresource "terraform_data" "x" {\n  input = var.net_id\n}\n')
    engine = engine_factory(tmp_path)
    engine.init()

    order = engine.suggest_stages()
    assert order["groups"] == [["net"], ["app"]]
    assert order["depends_on"]["app"] == ["net"]
    # A bare type selects its resources in every module; a pattern only where it says.
    assert engine.expand_targets("terraform_data") == [
        "module.app.terraform_data.x", "module.net.terraform_data.n", "terraform_data.a"]
    assert engine.expand_targets("module.*.terraform_data.*") == ["module.app.terraform_data.x", "module.net.terraform_data.n"]
    assert engine.expand_targets("aws_instance") == []
    with pytest.raises(tfstage.ParseError):
        engine.expand_targets("module.[")

    plan_file = tmp_path / "saved.tfplan"
    with engine.plan(out=plan_file) as plan:
        document = engine.show_plan(plan_file)
        assert document["format_version"].startswith("1.")
        assert {c["address"] for c in document["resource_changes"]} >= {"terraform_data.a"}
        assert engine.suggest_stages(plan=plan_file)["groups"] == [["net"], ["app"]]
        engine.apply(plan)
    with pytest.raises(tfstage.NotFound):
        engine.show_plan(tmp_path / "missing.tfplan")

    assert engine.output_raw("a_input") == "alpha"
    with pytest.raises(tfstage.InvalidArgument, match="sensitive") as info:
        engine.output_raw("secret")
    assert "hush" not in str(info.value)
    assert engine.output_raw("secret", reveal_sensitive=True) == "hush"
    with pytest.raises(tfstage.NotFound):
        engine.output_raw("no_such_output")

    # The command gives the same documents and values.
    def cli(*words: str) -> str:
        env = dict(os.environ, TFSTAGE_CLI_CONFIG=cli_config)
        result = subprocess.run([command(), "-C", str(tmp_path), *words], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert json.loads(cli("--json", "stages", "suggest")) == engine.suggest_stages()
    assert json.loads(cli("--json", "engine", "validate")) == engine.validate()
    assert cli("engine", "output", "a_input", "--raw").rstrip("\n") == engine.output_raw("a_input")
    assert cli("targets", "expand", "terraform_data").split() == engine.expand_targets("terraform_data")


def test_validation_has_one_shape_from_the_command_c_and_python(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.yaml", """
        version: 1
        environments:
          dev: {approval: auto}
        stages:
          - name: first
            run: {argv: ["true"]}
            needs: [nowhere]
          - name: second
            apply: {targets: ["module.["]}
        converge: false
    """)
    document = tfstage.validate(bad)
    assert document["valid"] is False
    keys = [p["address"] for p in document["problems"]]
    assert "stages[0].needs" in keys
    # The diagnostics of loading the file are the same objects.
    with pytest.raises(tfstage.ParseError) as info:
        tfstage.Rollout(bad)
    assert info.value.diagnostics == document["problems"]
    # ... and the command's validate --json is the same document.
    result = subprocess.run([command(), "--json", "validate", str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert json.loads(result.stdout) == document
    with pytest.raises(tfstage.NotFound):
        tfstage.validate(tmp_path / "missing.yaml")


def _git_project(tmp_path: Path) -> Path:
    write(tmp_path / "infra" / "main.tf", 'resource "terraform_data" "a" {\n  input = "one"\n}\n'
          'resource "terraform_data" "b" {\n  input = "b"\n}\n')
    write(tmp_path / ".gitignore", IGNORE)
    rollout = write(tmp_path / "rollout.yaml", """
        version: 1
        root: infra
        environments:
          dev: {approval: auto}
          clean: {workspace: clean, approval: auto, git: {require_clean: true}}
          partial: {workspace: partial, approval: auto}
        stages:
          - name: app
            apply: {}
    """)
    git(tmp_path, "init", "-q", "-b", "main")
    commit_all(tmp_path, "one")
    return rollout


def test_git_guards_changed_since_and_rollback_from_python(tmp_path: Path, cli_config: str) -> None:
    path = _git_project(tmp_path)
    first_commit = git(tmp_path, "rev-parse", "HEAD")
    with tfstage.Rollout(path) as rollout:
        with rollout.run("dev", cli_config=cli_config) as first:
            assert first.ok
        write(tmp_path / "infra" / "main.tf", 'resource "terraform_data" "a" {\n  input = "two"\n}\n'
              'resource "terraform_data" "b" {\n  input = "b"\n}\n')
        commit_all(tmp_path, "two")
        with rollout.run("dev", cli_config=cli_config) as second:
            assert second.ok
            second_id = second.id

        events: List[Dict[str, Any]] = []
        with rollout.run("dev", cli_config=cli_config, changed_since="HEAD", on_event=events.append) as selected:
            assert selected.ok
        assert any(e["type"] == "selection" for e in events)
        with pytest.raises(tfstage.InvalidArgument):
            rollout.run("dev", cli_config=cli_config, changed_since="no-such-ref")

        write(tmp_path / "infra" / "notes.txt", "uncommitted\n")
        with pytest.raises(tfstage.PolicyViolation):
            rollout.run("clean", cli_config=cli_config)
        with rollout.run("clean", cli_config=cli_config, allow_dirty=True) as overridden:
            assert overridden.ok
            assert "--allow-dirty" in json.dumps(overridden.journal())

        events = []
        with rollout.rollback(second_id, cli_config=cli_config, on_event=events.append) as back:
            assert back.ok, back.journal()
            journal = back.journal()
        assert journal["kind"] == "rollback"
        assert journal["rollback_of"] == second_id
        assert journal["rollback_to"]["commit"] == first_commit
        assert any(e["type"] == "rollback_target" and e["schema_version"] == 1 for e in events)


def test_status_history_and_outcome_are_the_same_from_the_command_and_python(tmp_path: Path, cli_config: str) -> None:
    """One run left unconverged (its stage applies a only): Python sees TFS_EUNCONVERGED and
    raises Unconverged, the command exits 6; status, history and the events have one shape."""
    path = write(tmp_path / "rollout.yaml", """
        version: 1
        root: infra
        environments:
          dev: {approval: auto}
        stages:
          - name: only_a
            apply: {targets: [terraform_data.a]}
    """)
    write(tmp_path / "infra" / "main.tf", 'resource "terraform_data" "a" {}\nresource "terraform_data" "b" {}\n')
    state_dir = tmp_path / ".tfstage"
    with tfstage.Rollout(path) as rollout:
        with rollout.run("dev", cli_config=cli_config) as run:
            assert run.outcome == "unconverged"
            assert run.status == tfstage.Status.EUNCONVERGED
            with pytest.raises(tfstage.Unconverged):
                run.raise_for_outcome()
            run_id = run.id

    env = dict(os.environ, TFSTAGE_CLI_CONFIG=cli_config)
    cli = subprocess.run([command(), "run", str(path), "-e", "dev", "--json"], capture_output=True, text=True, env=env)
    assert cli.returncode == 6, cli.stderr
    events = [json.loads(line) for line in cli.stdout.splitlines() if line.startswith("{")]
    assert events and all(e.get("schema_version") == 1 for e in events if "run" in e)

    status = subprocess.run([command(), "status", run_id, "--state-dir", str(state_dir), "--json"],
                            capture_output=True, text=True)
    assert status.returncode == 6
    assert json.loads(status.stdout) == tfstage.status(state_dir, run_id)
    history = subprocess.run([command(), "history", "--state-dir", str(state_dir), "--json"], capture_output=True, text=True)
    assert history.returncode == 0
    assert [json.loads(line) for line in history.stdout.splitlines()] == tfstage.history(state_dir)


def test_the_new_methods_check_their_arguments_before_c(tmp_path: Path, engine_factory) -> None:
    write(tmp_path / "main.tf", 'resource "terraform_data" "a" {}\n')
    rollout_file = write(tmp_path / "rollout.yaml", """
        version: 1
        environments:
          dev: {approval: auto}
        stages:
          - name: first
            run: {argv: ["true"]}
        converge: false
    """)
    engine = engine_factory(tmp_path)
    with pytest.raises(TypeError):
        engine.output_raw(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.output_raw("a", reveal_sensitive="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.show_plan(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.expand_targets("terraform_data", var_files="x.tfvars")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.validate(None)  # type: ignore[arg-type]
    with tfstage.Rollout(rollout_file) as rollout:
        with pytest.raises(TypeError):
            rollout.rollback(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rollout.rollback("x", approve="first")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rollout.start_rollback("x", environment="dev")
        with pytest.raises(tfstage.InvalidArgument, match="no stage 'nowhere'"):
            rollout.rollback("20000101-000000-0000", approve=["nowhere"])
        with pytest.raises(tfstage.NotFound):
            rollout.rollback("20000101-000000-0000")
        with pytest.raises(TypeError):
            rollout.run("dev", allow_dirty="yes")  # type: ignore[arg-type]
        assert set(tfstage.option_keys("rollback")) >= {"approve", "auto_approve", "state_dir"}
