"""How C and Python do what each verb and option of the `tfstage` command does (issue 12: anything
the command can do, C and Python can). test_parity.py lists the command's verbs and options from
its own --help (the CLI11 definitions) and fails when one is missing here, or when what is named
here does not exist: a C function not declared in include/tfstage/*.h or not exported by the
library, an options key the library's tfs_options_keys does not list, or a Python attribute
(or keyword argument) the bindings lack.

Each entry is a Way: the C function, optionally the (options kind, key) that carries the option,
and the Python path: "tfstage.NAME" (module), "Class.method" or "Class.method:keyword".
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Way(NamedTuple):
    c: str
    key: Optional[Tuple[str, str]]
    python: str


def way(c: str, python: str, key: Optional[Tuple[str, str]] = None) -> Way:
    return Way(c, key, python)


# Options every result of C and Python has by construction: they are not asked for.
INHERENT: Dict[str, str] = {
    "--help": "documentation: the headers and docstrings",
    "--json": "C and Python always return JSON documents (the same shapes as --json)",
}

_RUN_COMMON = {
    "FILE": way("tfs_rollout_load", "Rollout.__init__"),
    "--env": way("tfs_rollout_run", "Rollout.run:environment", ("run", "environment")),
    "--only": way("tfs_rollout_run", "Rollout.run:only", ("run", "only")),
    "--from": way("tfs_rollout_run", "Rollout.run:from_stage", ("run", "from")),
    "--parallelism": way("tfs_rollout_run", "Rollout.run:parallelism", ("run", "parallelism")),
    "--state-dir": way("tfs_rollout_run", "Rollout.run:state_dir", ("run", "state_dir")),
    "--changed-since": way("tfs_rollout_run", "Rollout.run:changed_since", ("run", "changed_since")),
    "--allow-dirty": way("tfs_rollout_run", "Rollout.run:allow_dirty", ("run", "allow_dirty")),
    "--allow-branch": way("tfs_rollout_run", "Rollout.run:allow_branch", ("run", "allow_branch")),
    "--allow-behind": way("tfs_rollout_run", "Rollout.run:allow_behind", ("run", "allow_behind")),
}

_PLAN_SOURCE = {
    "--plan": way("tfs_engine_stages_suggest", "Engine.suggest_stages:plan", ("plan_source", "plan")),
    "--var-file": way("tfs_engine_stages_suggest", "Engine.suggest_stages:var_files", ("plan_source", "var_files")),
    "--var": way("tfs_engine_stages_suggest", "Engine.suggest_stages:vars", ("plan_source", "vars")),
}

_CHANGE = {
    "--var": way("tfs_engine_plan", "Engine.plan:vars", ("plan", "vars")),
    "--var-file": way("tfs_engine_plan", "Engine.plan:var_files", ("plan", "var_files")),
    "--target": way("tfs_engine_plan", "Engine.plan:targets", ("plan", "targets")),
    "--exclude": way("tfs_engine_plan", "Engine.plan:excludes", ("plan", "excludes")),
    "--lock-timeout": way("tfs_engine_plan", "Engine.plan:lock_timeout", ("plan", "lock_timeout")),
    "--parallelism": way("tfs_engine_plan", "Engine.plan:parallelism", ("plan", "parallelism")),
}

_DESTROY = {
    "--var": way("tfs_engine_destroy", "Engine.destroy:vars", ("destroy", "vars")),
    "--var-file": way("tfs_engine_destroy", "Engine.destroy:var_files", ("destroy", "var_files")),
    "--target": way("tfs_engine_destroy", "Engine.destroy:targets", ("destroy", "targets")),
    "--exclude": way("tfs_engine_destroy", "Engine.destroy:excludes", ("destroy", "excludes")),
    "--lock-timeout": way("tfs_engine_destroy", "Engine.destroy:lock_timeout", ("destroy", "lock_timeout")),
    "--parallelism": way("tfs_engine_destroy", "Engine.destroy:parallelism", ("destroy", "parallelism")),
}

# verb (subcommands joined by a space; "" for the global options) -> {"": the verb itself,
# option or positional: its way}
TABLE: Dict[str, Dict[str, Way]] = {
    "": {
        "--version": way("tfs_version", "tfstage.version"),
        "--chdir": way("tfs_engine_open", "Engine.__init__:root_dir"),
        "--engine": way("tfs_engine_open", "Engine.__init__:binary", ("engine", "binary")),
        "--cli-config": way("tfs_engine_open", "Engine.__init__:cli_config", ("engine", "cli_config")),
        "--workspace": way("tfs_engine_open", "Engine.__init__:workspace", ("engine", "workspace")),
    },
    "run": {
        "": way("tfs_rollout_run", "Rollout.run"),
        **_RUN_COMMON,
        "--auto-approve": way("tfs_rollout_run", "Rollout.run:auto_approve", ("run", "auto_approve")),
        "--approve": way("tfs_rollout_run", "Rollout.run:approve", ("run", "approve")),
        "--dry-run": way("tfs_rollout_run", "Rollout.run:plan_only", ("run", "plan_only")),
        "--no-converge": way("tfs_rollout_run", "Rollout.run:converge", ("run", "converge")),
        "--allow-unconverged": way("tfs_rollout_run", "Rollout.run:unconverged", ("run", "unconverged")),
    },
    "plan": {"": way("tfs_rollout_run", "Rollout.run:plan_only", ("run", "plan_only")), **_RUN_COMMON},
    "resume": {
        "": way("tfs_rollout_resume", "Rollout.resume"),
        "RUN": way("tfs_rollout_resume", "Rollout.resume:run_id"),
        "--approve": way("tfs_rollout_approve", "Rollout.approve", ("run", "approve")),
        "--auto-approve": way("tfs_rollout_resume", "Rollout.run:auto_approve", ("run", "auto_approve")),
        "--state-dir": way("tfs_rollout_resume", "Rollout.run:state_dir", ("run", "state_dir")),
        "--allow-dirty": way("tfs_rollout_resume", "Rollout.run:allow_dirty", ("run", "allow_dirty")),
        "--allow-branch": way("tfs_rollout_resume", "Rollout.run:allow_branch", ("run", "allow_branch")),
        "--allow-behind": way("tfs_rollout_resume", "Rollout.run:allow_behind", ("run", "allow_behind")),
    },
    "rollback": {
        "": way("tfs_rollout_rollback", "Rollout.rollback"),
        "RUN": way("tfs_rollout_rollback", "Rollout.rollback:run_id"),
        "--approve": way("tfs_rollout_rollback", "Rollout.rollback:approve", ("rollback", "approve")),
        "--auto-approve": way("tfs_rollout_rollback", "Rollout.rollback:auto_approve", ("rollback", "auto_approve")),
        "--state-dir": way("tfs_rollout_rollback", "Rollout.rollback:state_dir", ("rollback", "state_dir")),
    },
    "status": {
        "": way("tfs_rollout_status", "tfstage.status"),
        "RUN": way("tfs_rollout_status", "tfstage.status"),
        "--state-dir": way("tfs_rollout_status", "tfstage.status"),
    },
    "history": {
        "": way("tfs_rollout_history", "tfstage.history"),
        "--state-dir": way("tfs_rollout_history", "tfstage.history"),
    },
    "validate": {
        "": way("tfs_rollout_validate", "tfstage.validate"),
        "FILE": way("tfs_rollout_validate", "tfstage.validate"),
    },
    "graph": {
        "": way("tfs_rollout_graph", "Rollout.graph"),
        "FILE": way("tfs_rollout_load", "Rollout.__init__"),
        "--env": way("tfs_rollout_describe", "Rollout.describe"),
        "--format": way("tfs_rollout_graph", "Rollout.graph:format"),
    },
    "workspace list": {"": way("tfs_engine_workspace_list", "Engine.workspace_list")},
    "workspace show": {"": way("tfs_engine_workspace_show", "Engine.workspace_show")},
    "workspace new": {
        "": way("tfs_engine_workspace_new", "Engine.workspace_new"),
        "NAME": way("tfs_engine_workspace_new", "Engine.workspace_new:name"),
    },
    "workspace select": {
        "": way("tfs_engine_workspace_select", "Engine.workspace_select"),
        "NAME": way("tfs_engine_workspace_select", "Engine.workspace_select:name"),
    },
    "workspace select-or-create": {
        "": way("tfs_engine_workspace_select_or_create", "Engine.workspace_select_or_create"),
        "NAME": way("tfs_engine_workspace_select_or_create", "Engine.workspace_select_or_create:name"),
    },
    "workspace delete": {
        "": way("tfs_engine_workspace_delete", "Engine.workspace_delete"),
        "NAME": way("tfs_engine_workspace_delete", "Engine.workspace_delete:name"),
        "--force": way("tfs_engine_workspace_delete", "Engine.workspace_delete:force"),
    },
    "engine init": {
        "": way("tfs_engine_init", "Engine.init"),
        "--backend-config": way("tfs_engine_init", "Engine.init:backend_config", ("init", "backend_config")),
        "--reconfigure": way("tfs_engine_init", "Engine.init:reconfigure", ("init", "reconfigure")),
        "--upgrade": way("tfs_engine_init", "Engine.init:upgrade", ("init", "upgrade")),
    },
    "engine plan": {
        "": way("tfs_engine_plan", "Engine.plan"),
        **_CHANGE,
        "--replace": way("tfs_engine_plan", "Engine.plan:replace", ("plan", "replace")),
        "--out": way("tfs_engine_plan", "Engine.plan:out", ("plan", "out")),
        "--destroy": way("tfs_engine_plan", "Engine.plan:destroy", ("plan", "destroy")),
        "--detailed-exitcode": way("tfs_plan_changes_present", "Plan.changes_present"),
    },
    "engine apply": {
        "": way("tfs_engine_apply", "Engine.apply"),
        "PLAN": way("tfs_plan_open_saved", "Engine.open_plan"),
        **_CHANGE,
        # Without a saved plan: plan, then apply exactly that plan.
        "--auto-approve": way("tfs_engine_apply", "Engine.apply:plan"),
    },
    "engine destroy": {"": way("tfs_engine_destroy", "Engine.destroy"), **_DESTROY},
    "engine show-json": {
        "": way("tfs_engine_show_state", "Engine.show_state"),
        "PLAN": way("tfs_engine_show_plan", "Engine.show_plan"),
    },
    "engine output": {
        "": way("tfs_engine_outputs", "Engine.outputs"),
        "NAME": way("tfs_engine_outputs", "Engine.outputs"),
        "--raw": way("tfs_engine_output_raw", "Engine.output_raw"),
    },
    "engine validate": {"": way("tfs_engine_validate", "Engine.validate")},
    "engine state-list": {"": way("tfs_engine_state_list", "Engine.state_list")},
    "show": {
        "": way("tfs_plan_summary", "Plan.summary"),
        "PLAN": way("tfs_plan_open_saved", "Engine.open_plan"),
        "--markdown": way("tfs_plan_render", "Plan.render"),
    },
    "address parse": {
        "": way("tfs_address_parse", "tfstage.parse_address"),
        "ADDR": way("tfs_address_parse", "tfstage.parse_address"),
    },
    "targets expand": {
        "": way("tfs_engine_targets_expand", "Engine.expand_targets"),
        "PATTERN": way("tfs_engine_targets_expand", "Engine.expand_targets:pattern"),
        "--plan": way("tfs_engine_targets_expand", "Engine.expand_targets:plan", ("plan_source", "plan")),
        "--var-file": way("tfs_engine_targets_expand", "Engine.expand_targets:var_files", ("plan_source", "var_files")),
        "--var": way("tfs_engine_targets_expand", "Engine.expand_targets:vars", ("plan_source", "vars")),
    },
    "stages suggest": {"": way("tfs_engine_stages_suggest", "Engine.suggest_stages"), **_PLAN_SOURCE},
}
