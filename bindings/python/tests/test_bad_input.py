"""Bad input never crashes: each case gives an exception (from Python before C, or from the
C status), never a crash. The cases that hand the C library raw pointers (NULL, freed) run in
a child process, so that a crash would fail one test rather than the whole session."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest

import tfstage

from conftest import PACKAGE_ROOT, SIMPLE_ROOT
from test_rollout import GATE_ROLLOUT, TWO_STAGES, BASE_ROOT


def run_child(code: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(PACKAGE_ROOT)
    environment["TFSTAGE_LIBRARY"] = tfstage.library_path()
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=environment, capture_output=True, text=True, timeout=120
    )


# -- NULL handles and NULL strings ---------------------------------------------------------------


def test_null_handles_and_strings_in_c() -> None:
    result = run_child(
        """
        import ctypes
        from ctypes import byref, c_void_p, c_char_p, c_int
        import tfstage
        from tfstage import _lib
        L = _lib.lib()
        out = c_void_p()
        borrowed = c_char_p()
        number = c_int()
        calls = {
            "engine_open(NULL root)": lambda: L.tfs_engine_open(byref(out), None, None),
            "engine_open(NULL out)": lambda: L.tfs_engine_open(None, b".", None),
            "engine_version(NULL)": lambda: L.tfs_engine_version(None, byref(out)),
            "engine_version(NULL out)": lambda: L.tfs_engine_version(None, None),
            "engine_init(NULL)": lambda: L.tfs_engine_init(None, None),
            "engine_workspace_new(NULL, NULL)": lambda: L.tfs_engine_workspace_new(None, None),
            "engine_plan(NULL)": lambda: L.tfs_engine_plan(None, None, byref(out)),
            "engine_apply(NULL, NULL)": lambda: L.tfs_engine_apply(None, None, None),
            "engine_cancel(NULL)": lambda: L.tfs_engine_cancel(None),
            "plan_summary(NULL)": lambda: L.tfs_plan_summary(None, byref(out)),
            "plan_file(NULL)": lambda: L.tfs_plan_file(None, byref(borrowed)),
            "plan_changes_present(NULL)": lambda: L.tfs_plan_changes_present(None, byref(number)),
            "plan_render(NULL)": lambda: L.tfs_plan_render(None, 0, byref(out)),
            "plan_open_json(NULL)": lambda: L.tfs_plan_open_json(byref(out), None, 5),
            "plan_open_json_file(NULL)": lambda: L.tfs_plan_open_json_file(byref(out), None),
            "address_parse(NULL)": lambda: L.tfs_address_parse(None, byref(out)),
            "address_match(NULL)": lambda: L.tfs_address_match(None, b"a.b", byref(number)),
            "address_expand(NULL)": lambda: L.tfs_address_expand(b"a", None, byref(out)),
            "rollout_load(NULL)": lambda: L.tfs_rollout_load(byref(out), None),
            "rollout_describe(NULL)": lambda: L.tfs_rollout_describe(None, byref(out)),
            "rollout_run(NULL)": lambda: L.tfs_rollout_run(None, None, _lib.EventCallback(), None, byref(out)),
            "rollout_resume(NULL)": lambda: L.tfs_rollout_resume(None, None, None, _lib.EventCallback(), None, byref(out)),
            "rollout_approve(NULL)": lambda: L.tfs_rollout_approve(None, None, None, None, _lib.EventCallback(), None, byref(out)),
            "rollout_graph(NULL)": lambda: L.tfs_rollout_graph(None, None, byref(out)),
            "rollout_cancel(NULL)": lambda: L.tfs_rollout_cancel(None),
            "run_journal(NULL)": lambda: L.tfs_run_journal(None, byref(out)),
            "run_id(NULL)": lambda: L.tfs_run_id(None, byref(borrowed)),
            "run_outcome(NULL)": lambda: L.tfs_run_outcome(None, byref(number), None),
            "rollout_status(NULL)": lambda: L.tfs_rollout_status(None, None, byref(out)),
            "rollout_history(NULL)": lambda: L.tfs_rollout_history(None, byref(out)),
        }
        # No case is left out: a function the library lacks is reported, and fails the test.
        print("MISSING", " ".join(L.missing))
        for name, call in calls.items():
            try:
                call()
                print("NOERROR", name)
            except tfstage.LibraryVersionError as e:
                print("LIBRARY", name, e)
            except tfstage.TfstageError as e:
                print("OK" if e.code == tfstage.Status.EINVAL else "CODE %d" % e.code, name)
        # The free functions accept NULL.
        for free in ("tfs_engine_free", "tfs_plan_free", "tfs_rollout_free", "tfs_run_free", "tfs_string_free"):
            getattr(L, free)(None)
        print("DONE", len(calls))
        """
    )
    assert result.returncode == 0, "crashed (%d): %s\n%s" % (result.returncode, result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    assert lines and lines[-1].startswith("DONE "), result.stdout
    assert lines[0] == "MISSING ", "libtfstage lacks functions: %s" % lines[0]
    cases = lines[1:-1]
    assert len(cases) == int(lines[-1].split()[1]), result.stdout  # every case ran, none left out
    # Every call refused the NULL; EINVAL is what the header documents.
    assert all(line.startswith("OK ") for line in cases), "\n".join(cases)


def test_freed_handles_in_c(tmp_path: Path, cli_config: str) -> None:
    (tmp_path / "main.tf").write_text(SIMPLE_ROOT)
    result = run_child(
        """
        from ctypes import byref, c_void_p
        import tfstage
        from tfstage import _lib
        L = _lib.lib()
        engine = c_void_p()
        L.tfs_engine_open(byref(engine), %r, None)
        L.tfs_engine_free(engine)
        out = c_void_p()
        try:
            L.tfs_engine_version(engine, byref(out))
            print("NOERROR")
        except tfstage.InvalidArgument as e:
            print("EINVAL", e.message)
        try:
            L.tfs_engine_version(c_void_p(0x1234560), byref(out))
            print("NOERROR")
        except tfstage.InvalidArgument as e:
            print("EINVAL", e.message)
        """
        % str(tmp_path).encode()
    )
    assert result.returncode == 0, "crashed (%d): %s\n%s" % (result.returncode, result.stdout, result.stderr)
    assert result.stdout.count("EINVAL") == 2, result.stdout


def test_a_closed_objects_raw_handle_is_invalid_in_c() -> None:
    """A closed plan's raw handle, passed straight to C, is refused (InvalidArgument) even when
    the next plan's object takes its memory: handles are tokens, never reused."""
    result = run_child(
        """
        import json
        from ctypes import byref, c_int, c_void_p
        import tfstage
        from tfstage import _lib
        L = _lib.lib()
        document = json.dumps({
            "format_version": "1.2", "terraform_version": "1.11.4", "planned_values": {},
            "resource_changes": [{
                "address": "terraform_data.a", "mode": "managed", "type": "terraform_data", "name": "a",
                "provider_name": "terraform.io/builtin/terraform",
                "change": {"actions": ["create"], "before": None, "after": {"input": "x"}, "after_unknown": {},
                           "before_sensitive": False, "after_sensitive": {}}}]})
        previous = None
        seen = set()
        accepted = refused = 0
        for i in range(1000):
            plan = tfstage.Plan.from_json(document)
            raw = plan._handle.value
            assert raw not in seen, "handle %#x handed out twice" % raw
            seen.add(raw)
            assert plan.summary()["schema_version"] == 1
            if previous is not None:
                out = c_void_p()
                present = c_int()
                try:
                    L.tfs_plan_summary(c_void_p(previous), byref(out))
                    accepted += 1
                except tfstage.InvalidArgument as e:
                    assert "not a live tfs_plan" in e.message, e.message
                    assert not out.value
                    refused += 1
                try:
                    L.tfs_plan_changes_present(c_void_p(previous), byref(present))
                    accepted += 1
                except tfstage.InvalidArgument:
                    refused += 1
                L.tfs_plan_free(c_void_p(previous))  # freeing again: harmless
            plan.close()
            previous = raw
        print("ACCEPTED", accepted, "REFUSED", refused)
        """
    )
    assert result.returncode == 0, "crashed (%d): %s\n%s" % (result.returncode, result.stdout, result.stderr)
    assert result.stdout.split() == ["ACCEPTED", "0", "REFUSED", "1998"], result.stdout


def test_a_handle_of_another_type_is_invalid_in_c(root: Path, engine_factory) -> None:
    engine = engine_factory(root)
    plan = tfstage.Plan.from_json(
        '{"format_version":"1.2","terraform_version":"1.11.4","planned_values":{},"resource_changes":[]}'
    )
    L = tfstage._lib.lib()
    out = ctypes.c_void_p()
    with pytest.raises(tfstage.InvalidArgument, match="not a live tfs_plan"):
        L.tfs_plan_summary(engine._handle, ctypes.byref(out))
    with pytest.raises(tfstage.InvalidArgument, match="not a live tfs_engine"):
        L.tfs_engine_version(plan._handle, ctypes.byref(out))
    L.tfs_engine_free(plan._handle)  # not an engine: ignored
    assert plan.summary()["schema_version"] == 1
    plan.close()


def test_a_directory_where_a_file_is_expected(tmp_path: Path, root: Path, engine_factory) -> None:
    with pytest.raises(tfstage.IOFailure, match="is a directory") as io_info:
        tfstage.Plan.from_json_file(tmp_path)
    assert "empty" not in io_info.value.message
    with pytest.raises(tfstage.NotFound, match="is a directory") as info:
        tfstage.Rollout(tmp_path)
    assert "empty" not in info.value.message
    engine = engine_factory(root)
    with pytest.raises(tfstage.NotFound, match="is a directory"):
        engine.open_plan(tmp_path)
    with pytest.raises(tfstage.NotFound, match="var_files.*is a directory"):
        engine.plan(var_files=[str(tmp_path)])  # refused before Terraform runs


def test_an_empty_workspace_name_is_refused(root: Path, engine_factory, cli_config: str) -> None:
    with pytest.raises(tfstage.InvalidArgument, match="workspace.*empty"):
        tfstage.Engine(root, workspace="", cli_config=cli_config)
    engine = engine_factory(root)
    for call in (
        lambda: engine.workspace_new(""),
        lambda: engine.workspace_select(""),
        lambda: engine.workspace_select_or_create(""),
        lambda: engine.workspace_delete(""),
        lambda: engine.workspace_delete("", force=True),
    ):
        with pytest.raises(tfstage.InvalidArgument, match="empty"):
            call()


def test_none_and_wrong_types_are_refused_in_python(root: Path, engine_factory) -> None:
    with pytest.raises(TypeError):
        tfstage.Engine(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Engine(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Rollout(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Plan.from_json(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.status(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Engine(root, timeout_ms="soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Engine(root, env=["A=B"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.Engine(root, options=5)  # type: ignore[arg-type]

    engine = engine_factory(root)
    for bad in (
        dict(targets=5),
        dict(targets="terraform_data.a"),
        dict(targets=[1]),
        dict(vars=["x=1"]),
        dict(destroy="yes"),
        dict(parallelism=True),
        dict(on_event=5),
    ):
        with pytest.raises(TypeError):
            engine.plan(**bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.apply(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.workspace_new(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        engine.workspace_new("a\0b")


def test_wrong_types_that_reach_c_name_the_key(root: Path, engine_factory) -> None:
    engine = engine_factory(root)
    engine.init()
    with pytest.raises(tfstage.InvalidArgument) as info:
        engine.plan(options={"targets": 5})
    assert "targets" in info.value.message
    with pytest.raises(tfstage.InvalidArgument) as info:
        tfstage.Engine(root, options={"timeout_ms": "soon"})
    assert "timeout_ms" in info.value.message
    with pytest.raises(tfstage.ParseError) as parse_info:
        engine.plan(targets=["not an address!"])
    assert "not an address!" in parse_info.value.message


def test_invalid_json_in_options(root: Path, engine_factory) -> None:
    with pytest.raises(tfstage.ParseError):
        tfstage.Engine(root, options="{not json")
    engine = engine_factory(root)
    with pytest.raises(tfstage.ParseError):
        engine.plan(options="[1, 2")
    with pytest.raises((tfstage.ParseError, tfstage.InvalidArgument)):
        engine.plan(options="[1, 2]")  # JSON, but not an object


def test_an_unknown_schema_version_is_unsupported(root: Path, engine_factory) -> None:
    with pytest.raises(tfstage.Unsupported):
        tfstage.Engine(root, options={"schema_version": 2})
    engine = engine_factory(root)
    with pytest.raises(tfstage.Unsupported):
        engine.plan(options={"schema_version": 99})


def test_unknown_keys_are_refused_naming_the_closest_known_key(root: Path, engine_factory) -> None:
    with pytest.raises(tfstage.InvalidArgument, match='unknown key "a_key_from_the_future"'):
        tfstage.Engine(root, options={"a_key_from_the_future": {"x": 1}})
    engine = engine_factory(root)
    with pytest.raises(tfstage.InvalidArgument, match='unknown key "also_unknown"'):
        engine.init(options={"also_unknown": True})
    # A typo for a real key never runs an untargeted plan.
    with pytest.raises(tfstage.InvalidArgument, match='did you mean "targets"'):
        engine.plan(options={"target": ["terraform_data.b"]})
    with pytest.raises(tfstage.InvalidArgument, match='unknown key "nope"'):
        engine.plan(options={"nope": 1})
    engine.init()
    with engine.plan(options={"targets": ["terraform_data.b"]}) as plan:
        assert [c["address"] for c in plan.summary()["changes"]] == ["terraform_data.b"]


def test_option_keys_lists_each_kind() -> None:
    assert "targets" in tfstage.option_keys("plan")
    assert "environment" in tfstage.option_keys("run")
    assert "workspace" in tfstage.option_keys("engine")
    with pytest.raises(tfstage.InvalidArgument, match="kinds"):
        tfstage.option_keys("nope")


def test_closed_objects_raise_closed_error(root: Path, engine_factory) -> None:
    engine = engine_factory(root)
    engine.init()
    plan = engine.plan()
    plan.close()
    plan.close()  # twice is fine
    assert plan.closed
    with pytest.raises(tfstage.ClosedError):
        plan.summary()
    with pytest.raises(tfstage.ClosedError):
        engine.apply(plan)
    with pytest.raises(tfstage.ClosedError):
        with plan:
            pass
    engine.close()
    with pytest.raises(tfstage.ClosedError):
        engine.version()
    with pytest.raises(tfstage.InvalidArgument):  # ClosedError is an InvalidArgument
        engine.plan()
    engine.cancel()  # no effect once closed
    assert "closed" in repr(engine)


def test_a_plan_outlives_its_closed_engine(root: Path, engine_factory, cli_config: str) -> None:
    engine = engine_factory(root)
    engine.init()
    plan = engine.plan(targets=["terraform_data.b"])
    engine.close()
    assert plan.summary()["counts"]["create"] == 1
    assert plan.render("markdown")
    assert len(plan.hash()) == 64
    assert os.path.isfile(plan.file)
    # Applied through another engine on the same root.
    with tfstage.Engine(root, cli_config=cli_config) as other:
        other.apply(plan)
        assert other.state_list() == ["terraform_data.b"]
    plan.close()


def test_a_plan_is_kept_alive_by_python_without_its_engine(root: Path, cli_config: str) -> None:
    import gc

    def make_plan() -> tfstage.Plan:
        engine = tfstage.Engine(root, cli_config=cli_config)
        engine.init()
        return engine.plan()  # the engine goes out of scope here

    plan = make_plan()
    gc.collect()
    assert plan.engine is not None and not plan.engine.closed  # the child holds its parent
    assert plan.summary()["counts"]["create"] == 2
    plan.close()


def test_a_run_outlives_its_closed_rollout(project, cli_config: str) -> None:
    path = project(GATE_ROLLOUT, {"infra": SIMPLE_ROOT})
    rollout = tfstage.Rollout(path)
    # An unknown key in the run options is refused before anything runs.
    with pytest.raises(tfstage.InvalidArgument, match='unknown key "a_key_from_the_future"'):
        rollout.run("prod", cli_config=cli_config, options={"a_key_from_the_future": [1]})
    with pytest.raises(tfstage.InvalidArgument, match='did you mean "only"'):
        rollout.run("prod", cli_config=cli_config, options={"onlly": ["deploy"]})
    run = rollout.run("prod", cli_config=cli_config)
    rollout.close()
    with pytest.raises(tfstage.ClosedError):
        rollout.describe()
    assert run.outcome == "awaiting_approval"
    assert run.journal()["status"] == "awaiting_approval"
    assert run.id
    run.close()
    with pytest.raises(tfstage.ClosedError):
        run.journal()


def test_bad_run_options(project, cli_config: str) -> None:
    path = project(GATE_ROLLOUT, {"infra": SIMPLE_ROOT})
    with tfstage.Rollout(path) as rollout:
        with pytest.raises(TypeError):
            rollout.run(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rollout.run("prod", only="deploy")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            rollout.run("prod", parallelism="4")  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            rollout.run("prod", unconverged="maybe")
        with pytest.raises(TypeError):
            rollout.start("prod", no_such_option=1)
        with pytest.raises(tfstage.NotFound):
            rollout.run("nowhere", cli_config=cli_config)
        # An unknown stage is a bad argument, as the runner and the command say.
        with pytest.raises(tfstage.InvalidArgument, match="no stage 'nope'"):
            rollout.run("prod", only=["nope"], cli_config=cli_config)
        with pytest.raises(tfstage.ParseError):
            rollout.run(None, options='{"environment": "prod",')  # type: ignore[arg-type]
        with pytest.raises(tfstage.Unsupported):
            rollout.run("prod", options={"schema_version": 2})
        with pytest.raises(tfstage.InvalidArgument) as info:
            rollout.run(None, options='{"schema_version": 1}')  # type: ignore[arg-type]
        assert "environment" in info.value.message
        with pytest.raises(tfstage.InvalidArgument) as info:
            rollout.run("prod", options={"parallelism": "four"})
        assert "parallelism" in info.value.message
        with pytest.raises(tfstage.NotFound):
            rollout.resume("20000101-000000-0000", cli_config=cli_config)
        # Nothing ran: the rollout is still usable.
        assert rollout.describe()["stages"][0]["name"] == "deploy"


def test_a_rollout_callback_that_raises_cancels_the_run(project, cli_config: str) -> None:
    path = project(TWO_STAGES, {"base": BASE_ROOT, "app": SIMPLE_ROOT})
    state_dir = path.parent / ".tfstage"
    seen: List[str] = []

    class Stop(Exception):
        pass

    def on_event(event: dict) -> None:
        seen.append(event["type"])
        if event["type"] == "stage_started":
            raise Stop("stop here")

    with tfstage.Rollout(path) as rollout:
        with pytest.raises(Stop):
            rollout.run("staging", cli_config=cli_config, on_event=on_event)
        assert "stage_started" in seen
        assert tfstage.status(state_dir)["status"] in ("cancelled", "interrupted")

        # A non-zero return cancels too, and the run object says so.
        run = rollout.run("staging", cli_config=cli_config, on_event=lambda e: e["type"] == "stage_started")
        with run:
            assert run.status == tfstage.Status.ECANCELLED, run.outcome


def test_objects_left_open_at_interpreter_shutdown(tmp_path: Path, cli_config: str) -> None:
    (tmp_path / "main.tf").write_text(SIMPLE_ROOT)
    result = run_child(
        """
        import tfstage
        engine = tfstage.Engine(%r, cli_config=%r, on_event=lambda e: None)
        engine.init()
        plan = engine.plan()
        cycle = [engine, plan]
        cycle.append(cycle)
        plan.keep = cycle  # a reference cycle, collected (or not) at shutdown
        print("EXITING")
        """
        % (str(tmp_path), cli_config)
    )
    assert result.returncode == 0, result.stderr
    assert "EXITING" in result.stdout
    assert "Exception ignored" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
