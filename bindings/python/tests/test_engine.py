"""Engine and Plan against the real Terraform, on terraform_data-only roots."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import tfstage

from conftest import SLOW_ROOT, write


def test_workspace_lifecycle(root: Path, engine_factory) -> None:
    engine = engine_factory(root)
    engine.init()
    assert engine.workspace_show() == "default"
    assert engine.workspace_list() == ["default"]

    engine.workspace_new("staging")
    assert engine.workspace_show() == "staging"
    assert sorted(engine.workspace_list()) == ["default", "staging"]
    with pytest.raises(tfstage.EngineError):
        engine.workspace_new("staging")

    engine.workspace_select("default")
    assert engine.workspace_show() == "default"
    with pytest.raises(tfstage.NotFound):
        engine.workspace_select("nope")

    engine.workspace_select_or_create("prod")
    assert engine.workspace_show() == "prod"
    engine.workspace_select_or_create("prod")  # idempotent
    assert engine.workspace_show() == "prod"

    engine.workspace_select("default")
    engine.workspace_delete("staging")
    engine.workspace_delete("prod", force=True)
    assert engine.workspace_list() == ["default"]


def test_a_workspace_option_is_used_by_every_call(root: Path, engine_factory) -> None:
    setup = engine_factory(root)
    setup.init()
    setup.workspace_select_or_create("blue")
    setup.workspace_select("default")
    engine = engine_factory(root, workspace="blue")
    # (workspace_show reports the selected workspace: workspace commands ignore the option.)
    with engine.plan(targets=["terraform_data.b"]) as plan:
        engine.apply(plan)
    assert engine.state_list() == ["terraform_data.b"]
    assert not (root / "terraform.tfstate").exists()  # nothing in the default workspace
    assert (root / "terraform.tfstate.d" / "blue" / "terraform.tfstate").is_file()


def test_targeted_plan_and_apply(root: Path, engine_factory) -> None:
    events: List[Dict[str, Any]] = []
    engine = engine_factory(root)
    engine.init()
    version = engine.version()
    assert version["flavour"] in ("terraform", "opentofu", "tofu")
    assert version["version"]

    plan = engine.plan(targets=["terraform_data.a"], vars={"x": "targeted"}, on_event=events.append)
    assert plan.changes_present
    assert plan.engine is engine
    plan_file = plan.file
    assert os.path.isfile(plan_file)

    summary = plan.summary()
    assert summary["schema_version"] == 1
    assert summary["counts"]["create"] == 1
    assert summary["counts"]["delete"] == 0
    assert [c["address"] for c in summary["changes"]] == ["terraform_data.a"]
    assert summary["changes"][0]["action"] == "create"

    changes = plan.changes()
    assert [c["address"] for c in changes["resource_changes"]] == ["terraform_data.a"]
    assert changes["resource_changes"][0]["actions"] == ["create"]

    digest = plan.hash()
    assert len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
    provenance = plan.provenance()
    assert provenance["plan_sha256"] == digest
    assert provenance["targets"] == ["terraform_data.a"]

    text = plan.render("text")
    assert "terraform_data.a" in text
    assert "targeted" not in text  # -var values are secret
    assert "terraform_data.a" in plan.render("markdown")
    assert json.loads(plan.render(tfstage.RenderFormat.JSON))["counts"]["create"] == 1

    policy = plan.evaluate_policy({"deny_resource_types": ["terraform_data"]})
    assert policy["allowed"] is False and policy["violations"]
    assert plan.evaluate_policy("max_changes: 5\n")["allowed"] is True

    result = engine.apply(plan)
    assert result["add"] == 1
    assert engine.state_list() == ["terraform_data.a"]
    assert engine.state_list(["terraform_data.a"]) == ["terraform_data.a"]
    outputs = engine.outputs()
    assert outputs["a"]["value"] == "targeted"
    assert engine.show_state()["values"]["root_module"]["resources"][0]["address"] == "terraform_data.a"
    assert any(e.get("type") for e in events)

    # The same plan applied twice is stale.
    with pytest.raises(tfstage.StalePlan) as info:
        engine.apply(plan)
    assert info.value.code == tfstage.Status.ESTALE

    plan.close()
    assert not os.path.exists(plan_file)  # made without "out": removed with the plan

    assert engine.validate()["valid"] is True
    destroyed = engine.destroy(targets=["terraform_data.a"])
    assert destroyed["remove"] == 1
    assert engine.state_list() == []


def test_a_saved_plan_is_opened_again_and_read_from_json(root: Path, engine_factory, tmp_path: Path, cli_config: str) -> None:
    engine = engine_factory(root)
    engine.init()
    out = tmp_path / "saved.tfplan"
    with engine.plan(out=str(out)) as plan:
        digest = plan.hash()
    assert out.is_file()  # "out": kept
    with engine.open_plan(out) as reopened:
        assert reopened.summary()["counts"]["create"] == 2
        assert reopened.hash() == digest

    import subprocess

    # `show -json` of the saved plan, by the very binary the engine runs ($TFSTAGE_TERRAFORM,
    # else terraform, then tofu on PATH, as the library found it): a failure fails the test.
    binary = engine.version().get("binary")
    assert binary and os.path.isfile(binary) and os.access(binary, os.X_OK), (
        "the engine reports no runnable binary (%r): install Terraform or set TFSTAGE_TERRAFORM" % binary
    )
    shown = subprocess.run(
        [binary, "show", "-json", str(out)],
        cwd=engine.root_dir,
        capture_output=True,
        text=True,
        env=dict(os.environ, TF_CLI_CONFIG_FILE=cli_config),
        timeout=300,
    )
    assert shown.returncode == 0, "%s show -json failed (%d): %s" % (binary, shown.returncode, shown.stderr)
    with tfstage.Plan.from_json(shown.stdout) as from_text:
        assert from_text.summary()["counts"]["create"] == 2
        assert from_text.file == ""
        with pytest.raises(tfstage.NotFound):
            from_text.hash()
        with pytest.raises(tfstage.NotFound):
            from_text.provenance()
    document = write(tmp_path / "show.json", shown.stdout)
    with tfstage.Plan.from_json_file(document) as from_file:
        assert from_file.changes_present
    with pytest.raises(tfstage.ParseError):
        tfstage.Plan.from_json("{not json")
    with pytest.raises((tfstage.NotFound, tfstage.IOFailure)):
        tfstage.Plan.from_json_file(tmp_path / "missing.json")


def test_an_invalid_configuration_raises_engine_error_with_diagnostics(tmp_path: Path, engine_factory) -> None:
    broken = tmp_path / "broken"
    write(
        broken / "main.tf",
        """
        resource "terraform_data" "a" {
          input = var.not_declared
        }
        """,
    )
    engine = engine_factory(broken)
    engine.init()
    validated = engine.validate()  # a result, not an error
    assert validated["valid"] is False
    assert validated["error_count"] >= 1

    with pytest.raises(tfstage.EngineError) as info:
        engine.plan()
    error = info.value
    assert error.code == tfstage.Status.EENGINE
    assert error.status_name == "TFS_EENGINE"
    assert error.message
    assert error.diagnostics, "the engine's diagnostics are attached"
    assert any(d.get("severity") == "error" for d in error.diagnostics)
    assert any((d.get("filename") or "").endswith("main.tf") for d in error.diagnostics)
    assert any(d.get("line") == 2 for d in error.diagnostics)
    assert "main.tf" in str(error)


def test_an_engine_is_cancelled_from_another_thread(tmp_path: Path, engine_factory) -> None:
    slow = tmp_path / "slow"
    write(slow / "main.tf", SLOW_ROOT)
    engine = engine_factory(slow, grace_ms=5000)
    engine.init()
    plan = engine.plan()
    timers: List[threading.Timer] = []

    def on_event(event: Dict[str, Any]) -> None:
        # Once the apply runs, cancel it from another thread.
        if event.get("type") == "apply_start" and not timers:
            timer = threading.Timer(1.0, engine.cancel)
            timer.start()
            timers.append(timer)

    started = time.monotonic()
    with pytest.raises(tfstage.Cancelled):
        engine.apply(plan, on_event=on_event)
    assert timers, "no apply_start event"
    assert time.monotonic() - started < 40
    # The state lock was released: another plan goes through without waiting.
    with engine.plan(lock_timeout="0s") as again:
        assert again.changes_present


def test_an_engine_callback_that_raises_cancels_and_is_reraised(root: Path, engine_factory) -> None:
    engine = engine_factory(root)
    engine.init()

    class Stop(Exception):
        pass

    def on_event(event: dict) -> None:
        raise Stop("enough")

    with pytest.raises(Stop) as info:
        engine.plan(on_event=on_event)
    assert isinstance(info.value.__cause__, tfstage.Cancelled)

    # A non-zero return cancels too.
    with pytest.raises(tfstage.Cancelled):
        engine.plan(on_event=lambda event: 1)

    # And the engine still works afterwards, without the callback.
    with engine.plan() as plan:
        assert plan.changes_present

    # A registered callback that raised once does not cancel the calls after.
    raised: List[int] = []

    def once(event: Dict[str, Any]) -> None:
        if not raised:
            raised.append(1)
            raise Stop("once")

    engine.set_event_callback(once)
    with pytest.raises(Stop):
        engine.plan()
    with engine.plan() as plan:
        assert plan.changes_present
    engine.set_event_callback(None)


def test_a_registered_callback_stays_referenced_and_plan_queries_run_in_threads(root: Path, engine_factory) -> None:
    import gc

    events: List[Dict[str, Any]] = []
    engine = engine_factory(root)
    engine.set_event_callback(lambda event: events.append(event))  # only the engine holds it
    gc.collect()
    engine.init()
    with engine.plan() as plan:
        assert events, "the callback registered earlier was called"
        count = len(events)
        engine.set_event_callback(None)
        engine.validate()
        assert len(events) == count

        # Plan queries are safe from several threads at once.
        results = []

        def query() -> None:
            for _ in range(5):
                results.append((plan.summary()["counts"]["create"], plan.hash(), plan.render("text")))

        threads = [threading.Thread(target=query) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 20
        assert len({r[1] for r in results}) == 1 and all(r[0] == 2 for r in results)


def test_ctrl_c_cancels_a_blocking_engine_call(tmp_path: Path, engine_factory) -> None:
    import _thread

    slow = tmp_path / "slow"
    write(slow / "main.tf", SLOW_ROOT)
    engine = engine_factory(slow, grace_ms=5000)
    engine.init()
    plan = engine.plan()
    timers: List[threading.Timer] = []

    def on_event(event: Dict[str, Any]) -> None:
        if event.get("type") == "apply_start" and not timers:
            timer = threading.Timer(1.0, _thread.interrupt_main)
            timer.start()
            timers.append(timer)

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        engine.apply(plan, on_event=on_event)
    assert timers, "no apply_start event"
    assert time.monotonic() - started < 40
    # The engine is idle again and the state lock was released.
    with engine.plan(lock_timeout="0s") as again:
        assert again.changes_present
