"""Rollouts against the real Terraform, on terraform_data-only roots: a run and its events, a
gate stopped then approved, cancellation from another thread and by Ctrl-C, the journal."""

from __future__ import annotations

import _thread
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import tfstage

from conftest import SIMPLE_ROOT, SLOW_ROOT

TWO_STAGES = """
version: 1
roots: {base: base, app: app}
environments:
  staging: {workspace: staging, approval: auto}
stages:
  - name: first
    root: base
    apply: {}
  - name: second
    root: app
    apply: {}
"""

BASE_ROOT = """
resource "terraform_data" "first" {
  input = "base"
}
"""

GATE_ROLLOUT = """
version: 1
root: infra
environments:
  prod:
    workspace: prod
    approval: manual
    vars: {x: planned}
stages:
  - name: deploy
    apply: {}
"""

SLOW_ROLLOUT = """
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: slow
    apply: {}
"""


def types_of(events, stage=None):
    return [e["type"] for e in events if stage is None or e.get("stage") == stage]


def test_describe_and_graph(project) -> None:
    path = project(TWO_STAGES, {"base": BASE_ROOT, "app": SIMPLE_ROOT})
    with tfstage.Rollout.load(path) as rollout:
        described = rollout.describe()
        assert described["schema_version"] == 1
        assert [s["name"] for s in described["stages"]] == ["first", "second"]
        assert {r["name"] for r in described["roots"]} == {"base", "app"}
        assert described["environments"][0]["name"] == "staging"
        assert "first" in rollout.graph("dot") and "digraph" in rollout.graph("dot")
        assert "second" in rollout.graph("mermaid")
        assert "first" in rollout.graph("json")
        with pytest.raises(tfstage.InvalidArgument):
            rollout.graph("png")


def test_an_invalid_rollout_file_reports_every_problem_as_diagnostics(project) -> None:
    path = project(
        """
        version: 1
        root: infra
        environments:
          dev: {approval: sometimes}
        stages:
          - name: a
            apply: {}
            needs: [nope]
        """,
        {"infra": SIMPLE_ROOT},
    )
    with pytest.raises(tfstage.ParseError) as info:
        tfstage.Rollout(path)
    diagnostics = info.value.diagnostics
    assert len(diagnostics) >= 2
    assert all((d.get("filename") or "").endswith("rollout.yaml") for d in diagnostics)
    assert all(isinstance(d.get("line"), int) and d["line"] > 0 for d in diagnostics)
    with pytest.raises(tfstage.NotFound):
        tfstage.Rollout(Path(path).parent / "missing.yaml")


def test_a_rollout_run_with_its_events(project, cli_config: str) -> None:
    path = project(TWO_STAGES, {"base": BASE_ROOT, "app": SIMPLE_ROOT})
    state_dir = path.parent / ".tfstage"
    with tfstage.Rollout(path) as rollout:
        # As an iterator.
        with rollout.start("staging", cli_config=cli_config) as running:
            events = list(running)
            run = running.result()
        assert run.ok, run.journal()
        assert run.outcome == "succeeded"
        assert run.status == tfstage.Status.OK
        assert run.raise_for_outcome() is run
        assert events[0]["type"] == "run_started"
        assert events[0]["environment"] == "staging"
        assert events[0]["stages"] == ["first", "second"]
        assert events[-1]["type"] == "rollout_finished"
        assert events[-1]["status"] == "succeeded"
        assert all(e["run"] == run.id for e in events)
        for stage in ("first", "second"):
            kinds = types_of(events, stage)
            assert kinds[0] == "stage_started"
            assert "stage_planned" in kinds and "stage_applying" in kinds
            assert kinds[-1] == "stage_finished"
        planned = [e for e in events if e["type"] == "stage_planned" and e["stage"] == "second"][0]
        assert planned["summary"]["create"] == 2
        assert len(planned["sha256"]) == 64
        assert "convergence" in types_of(events)

        journal = run.journal()
        assert journal["status"] == "succeeded"
        assert [s["status"] for s in journal["stages"]] == ["succeeded", "succeeded"]
        first_id = run.id
        run.close()

        # As a callback: nothing changes the second time.
        seen: List[Dict[str, Any]] = []
        again = rollout.run("staging", cli_config=cli_config, on_event=seen.append)
        with again:
            assert again.ok
            assert again.id != first_id
        finished = [e for e in seen if e["type"] == "stage_finished"]
        assert [e["status"] for e in finished] == ["no_changes", "no_changes"]
        assert seen[-1]["type"] == "rollout_finished"

    runs = tfstage.history(state_dir)
    assert [r["run"] for r in runs][0] == first_id
    assert len(runs) == 2 and all(r["status"] == "succeeded" for r in runs)
    assert tfstage.status(state_dir, first_id)["status"] == "succeeded"
    assert tfstage.status(state_dir)["run"] == runs[-1]["run"]
    with pytest.raises(tfstage.NotFound):
        tfstage.status(state_dir, "20000101-000000-0000")


def test_a_gate_stops_the_run_and_approve_applies_the_plan(project, cli_config: str) -> None:
    path = project(GATE_ROLLOUT, {"infra": SIMPLE_ROOT})
    state_dir = path.parent / ".tfstage"
    with tfstage.Rollout(path) as rollout:
        events: List[Dict[str, Any]] = []
        stopped = rollout.run("prod", cli_config=cli_config, on_event=events.append)
        assert stopped.outcome == "awaiting_approval"
        assert stopped.status == tfstage.Status.EAWAITING_APPROVAL
        with pytest.raises(tfstage.AwaitingApproval):
            stopped.raise_for_outcome()
        waiting = [e for e in events if e["type"] == "awaiting_approval"]
        assert len(waiting) == 1 and waiting[0]["stage"] == "deploy"
        assert "stage_applying" not in types_of(events)
        assert events[-1]["status"] == "awaiting_approval"
        run_id = stopped.id
        assert tfstage.status(state_dir, run_id)["status"] == "awaiting_approval"
        record = [s for s in stopped.journal()["stages"] if s["name"] == "deploy"][0]
        assert record["plan"]["sha256"] == waiting[0]["sha256"]

        approved_events: List[Dict[str, Any]] = []
        approved = rollout.approve("deploy", run_id, cli_config=cli_config, on_event=approved_events.append)
        assert approved.id == run_id
        assert approved.outcome == "succeeded", approved.journal()
        assert "stage_approved" in types_of(approved_events, "deploy")
        assert "stage_planning" not in types_of(approved_events)  # not planned again
        record = [s for s in approved.journal()["stages"] if s["name"] == "deploy"][0]
        assert record["approval"]["plan_sha256"] == waiting[0]["sha256"]

    with tfstage.Engine(path.parent / "infra", cli_config=cli_config, workspace="prod") as engine:
        assert sorted(engine.state_list()) == ["terraform_data.a", "terraform_data.b"]
        assert engine.outputs()["a"]["value"] == "planned"


def _assert_unlocked(root: Path, cli_config: str) -> None:
    with tfstage.Engine(root, cli_config=cli_config, workspace="dev") as engine:
        with engine.plan(lock_timeout="0s") as plan:
            assert plan.changes_present


def test_a_run_is_cancelled_from_another_thread(project, cli_config: str) -> None:
    path = project(SLOW_ROLLOUT, {"infra": SLOW_ROOT})
    with tfstage.Rollout(path) as rollout:
        started = time.monotonic()
        cancellers = []
        with rollout.start("dev", cli_config=cli_config, grace_ms=5000) as running:
            # One run at a time per rollout.
            with pytest.raises(tfstage.TfstageError, match="already running"):
                rollout.start("dev", cli_config=cli_config)
            events: List[Dict[str, Any]] = []
            for event in running:
                events.append(event)
                if event["type"] == "stage_applying":
                    canceller = threading.Timer(1.0, rollout.cancel)
                    canceller.start()
                    cancellers.append(canceller)
            run = running.result()
        for canceller in cancellers:
            canceller.join()
        assert cancellers, types_of(events)
        assert time.monotonic() - started < 45
        assert run.status == tfstage.Status.ECANCELLED, run.outcome
        assert run.outcome in ("cancelled", "interrupted")
        assert events[-1]["type"] == "rollout_finished"
        with pytest.raises(tfstage.Cancelled):
            run.raise_for_outcome()
    _assert_unlocked(path.parent / "infra", cli_config)


def test_ctrl_c_cancels_a_blocking_run_cleanly(project, cli_config: str) -> None:
    path = project(SLOW_ROLLOUT, {"infra": SLOW_ROOT})
    state_dir = path.parent / ".tfstage"
    timers = []

    def on_event(event: dict) -> None:
        if event["type"] == "stage_applying":
            timer = threading.Timer(1.0, _thread.interrupt_main)
            timer.start()
            timers.append(timer)

    with tfstage.Rollout(path) as rollout:
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            rollout.run("dev", cli_config=cli_config, grace_ms=5000, on_event=on_event)
        assert timers
        assert time.monotonic() - started < 45
        # The run had ended when KeyboardInterrupt came out: its journal says so, and the
        # rollout can run again.
        journal = tfstage.status(state_dir)
        assert journal["status"] in ("cancelled", "interrupted")
    _assert_unlocked(path.parent / "infra", cli_config)


def test_resume_continues_a_failed_run_without_applying_finished_stages_again(project, cli_config: str, tmp_path: Path) -> None:
    marker = tmp_path / "flaky.marker"
    flaky_root = """
    resource "terraform_data" "flaky" {
      provisioner "local-exec" {
        command = "if [ -f '%s' ]; then exit 0; fi; touch '%s'; echo failing once; exit 1"
      }
    }
    """ % (marker, marker)
    path = project(TWO_STAGES, {"base": BASE_ROOT, "app": flaky_root})
    with tfstage.Rollout(path) as rollout:
        failed = rollout.run("staging", cli_config=cli_config, converge=False)
        assert failed.outcome == "failed"
        assert failed.status == tfstage.Status.ERROR
        with pytest.raises(tfstage.TfstageError):
            failed.raise_for_outcome()
        stages = {s["name"]: s["status"] for s in failed.journal()["stages"]}
        assert stages == {"first": "succeeded", "second": "failed"}

        with rollout.start_resume(failed.id, cli_config=cli_config, converge=False) as running:
            events = list(running)
            resumed = running.result()
        assert resumed.id == failed.id
        assert resumed.outcome == "succeeded", resumed.journal()
        reused = [e for e in events if e["type"] == "stage_reused"]
        assert [e["stage"] for e in reused] == ["first"]
        assert "stage_started" not in types_of(events, "first")
        assert "stage_applying" in types_of(events, "second")

        # A finished run is not resumed again.
        with pytest.raises(tfstage.TfstageError):
            again = rollout.resume(failed.id, cli_config=cli_config)
            again.raise_for_outcome()


def test_a_policy_violation_is_an_outcome_and_plan_only_applies_nothing(project, cli_config: str) -> None:
    path = project(
        """
        version: 1
        root: infra
        environments:
          dev: {approval: auto, policies: {max_changes: 1}}
          qa: {workspace: qa, approval: auto}
        stages:
          - name: all
            apply: {}
        """,
        {"infra": SIMPLE_ROOT},
    )
    with tfstage.Rollout(path) as rollout:
        events: List[Dict[str, Any]] = []
        refused = rollout.run("dev", cli_config=cli_config, auto_approve=True, on_event=events.append)
        assert refused.outcome == "policy_violation"
        with pytest.raises(tfstage.PolicyViolation):
            refused.raise_for_outcome()
        violations = [e for e in events if e["type"] == "policy_violation"]
        assert violations and violations[0]["violations"]

        planned = rollout.run("qa", cli_config=cli_config, plan_only=True)
        assert planned.ok, planned.journal()
    assert not (path.parent / "infra" / "terraform.tfstate.d" / "qa" / "terraform.tfstate").exists() or \
        "terraform_data" not in (path.parent / "infra" / "terraform.tfstate.d" / "qa" / "terraform.tfstate").read_text()


def test_ctrl_c_while_iterating_cancels_and_closing_the_rollout_is_safe(project, cli_config: str) -> None:
    path = project(SLOW_ROLLOUT, {"infra": SLOW_ROOT})
    rollout = tfstage.Rollout(path)
    running = rollout.start("dev", cli_config=cli_config, grace_ms=5000)
    seen: List[str] = []
    timers = []
    with pytest.raises(KeyboardInterrupt):
        for event in running:
            seen.append(event["type"])
            if event["type"] == "stage_applying":
                timer = threading.Timer(1.0, _thread.interrupt_main)
                timer.start()
                timers.append(timer)
    assert timers
    assert running.done()  # the run had stopped when KeyboardInterrupt came out
    run = running.result()
    assert run.status == tfstage.Status.ECANCELLED
    # The events that came after are still there to read.
    rest = [e["type"] for e in running]
    assert (seen + rest)[-1] == "rollout_finished"
    rollout.close()
    assert run.journal()["status"] == run.outcome  # the run outlives its rollout
    run.close()


def test_a_second_rollout_on_a_held_workspace_raises_locked(project, cli_config: str) -> None:
    path = project(SLOW_ROLLOUT, {"infra": SLOW_ROOT.replace("sleep 60", "sleep 4")})
    with tfstage.Rollout(path) as first, tfstage.Rollout(path) as second:
        with first.start("dev", cli_config=cli_config) as running:
            for event in running:
                if event["type"] == "stage_applying":
                    break
            with pytest.raises(tfstage.Locked) as info:
                second.run("dev", cli_config=cli_config)
            assert info.value.code == tfstage.Status.ELOCKED
            assert "dev" in info.value.message
            assert running.result().ok
