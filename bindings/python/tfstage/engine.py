"""Engine (Terraform or OpenTofu on one root module) and Plan (a saved plan and its model)."""

from __future__ import annotations

import ctypes
import enum
import json
import os
import threading
from ctypes import c_char_p, c_int, c_void_p
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._events import CallbackBridge, EventHandler, call_cancellable
from ._lib import (
    NULL_EVENT_CALLBACK,
    PathLike,
    call_json,
    call_string,
    check_type,
    encode,
    lib,
    options_json,
    str_dict,
    str_list,
)
from ._object import Handle

__all__ = ["Engine", "Plan", "RenderFormat", "Options"]

#: Options given as a dict (merged under the keyword arguments) or as JSON text (sent as is).
Options = Union[None, str, bytes, Dict[str, Any]]


class RenderFormat(enum.IntEnum):
    """``tfs_render_format``."""

    TEXT = 0
    MARKDOWN = 1
    JSON = 2


class Engine(Handle):
    """Terraform or OpenTofu on one root module (``tfs_engine``).

    One thread at a time per engine, except :meth:`cancel` (any thread). Blocking calls made
    from the main thread are cancelled by Ctrl-C (KeyboardInterrupt is re-raised once the
    command has stopped).

    >>> with Engine("infra", cli_config=".cache/terraformrc", workspace="dev") as engine:
    ...     engine.init()
    ...     plan = engine.plan(targets=["module.vpc"])
    ...     print(plan.render("text"))
    ...     engine.apply(plan)
    """

    _free_name = "tfs_engine_free"

    def __init__(
        self,
        root_dir: PathLike,
        *,
        binary: Optional[PathLike] = None,
        cli_config: Optional[PathLike] = None,
        workspace: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        timeout_ms: Optional[int] = None,
        grace_ms: Optional[int] = None,
        inherit_tf_cli_args: Optional[bool] = None,
        options: Options = None,
        on_event: Optional[EventHandler] = None,
    ) -> None:
        root = encode(root_dir, "root_dir", path=True)
        opts = options_json(
            options,
            {
                "binary": check_type(binary, (str, os.PathLike), "binary"),
                "cli_config": check_type(cli_config, (str, os.PathLike), "cli_config"),
                "workspace": check_type(workspace, str, "workspace"),
                "env": str_dict(dict(env) if isinstance(env, Mapping) else env, "env"),
                "timeout_ms": check_type(timeout_ms, int, "timeout_ms"),
                "grace_ms": check_type(grace_ms, int, "grace_ms"),
                "inherit_tf_cli_args": check_type(inherit_tf_cli_args, bool, "inherit_tf_cli_args"),
            },
        )
        out = c_void_p()
        lib().tfs_engine_open(ctypes.byref(out), root, opts)
        super().__init__(out)
        self.root_dir = os.fspath(root_dir)
        self._bridge: Optional[CallbackBridge] = None
        # One call at a time per engine (the C rule); close() waits for a running call.
        self._call_lock = threading.RLock()
        if on_event is not None:
            self.set_event_callback(on_event)

    # -- events and cancellation ------------------------------------------------------------

    def set_event_callback(self, on_event: Optional[EventHandler]) -> None:
        """Receives the engine's events (Terraform's -json UI events, and the text lines of
        other commands as ``{"type": "output", "line": ...}``) during every later call. A
        callable that returns a true value or raises cancels the running command. None removes
        it."""
        bridge = CallbackBridge(on_event) if on_event is not None else None
        with self._call_lock:
            lib().tfs_engine_set_event_callback(self._handle, bridge.c_callback if bridge else NULL_EVENT_CALLBACK, None)
            self._bridge = bridge  # kept referenced while C may call it

    def cancel(self) -> None:
        """Cancels the command the engine is running (SIGINT, then SIGKILL after the grace
        period); that call raises :class:`~tfstage.Cancelled`. Safe from any thread."""
        pointer = self.__dict__.get("_as_parameter_")
        if pointer is not None:
            lib().tfs_engine_cancel(pointer)

    def close(self) -> None:
        """Frees the engine (waiting for a call running in another thread to end first). Plans
        made by it stay usable."""
        lock = self.__dict__.get("_call_lock")
        if lock is None:
            super().close()
            return
        with lock:
            super().close()

    def _run(self, call: Any, on_event: Optional[EventHandler]) -> Any:
        """Runs a blocking call, with a per-call event handler if given, cancellable by Ctrl-C."""
        with self._call_lock:
            return self._run_locked(call, on_event)

    def _run_locked(self, call: Any, on_event: Optional[EventHandler]) -> Any:
        handle = self._handle
        previous = self._bridge
        bridge: Optional[CallbackBridge] = None
        if on_event is not None:
            bridge = CallbackBridge(on_event)
            lib().tfs_engine_set_event_callback(handle, bridge.c_callback, None)
            self._bridge = bridge
        if previous is not None:
            previous.error = None  # a handler that raised during an earlier call
        try:
            try:
                result = call_cancellable(call, self.cancel)
            except BaseException as e:
                for b in (bridge, previous):
                    if b is not None and b.error is not None:
                        error = b.error
                        b.error = None
                        raise error from e
                raise
            # A handler that raised on the last event, after which the command ended anyway.
            for b in (bridge, previous):
                if b is not None and b.error is not None:
                    error = b.error
                    b.error = None
                    close = getattr(result, "close", None)
                    if callable(close):
                        close()
                    raise error
            return result
        finally:
            if bridge is not None:
                restore = previous.c_callback if previous is not None else NULL_EVENT_CALLBACK
                if not self.closed:
                    lib().tfs_engine_set_event_callback(handle, restore, None)
                self._bridge = previous

    # -- information ------------------------------------------------------------------------

    def version(self) -> Dict[str, Any]:
        """``version -json``: ``{"flavour", "version", "binary", ...}``."""
        return self._run(lambda: call_json(lib().tfs_engine_version, self._handle), None)  # type: ignore[no-any-return]

    def validate(self) -> Dict[str, Any]:
        """``validate -json``: ``{"valid", "error_count", "warning_count", "diagnostics"}``. An
        invalid configuration is a result, not an exception."""
        return self._run(lambda: call_json(lib().tfs_engine_validate, self._handle), None)  # type: ignore[no-any-return]

    def outputs(self, reveal_sensitive: bool = False) -> Dict[str, Any]:
        """``output -json``: ``{name: {"sensitive", "type", "value"}}`` (sensitive values are
        None unless ``reveal_sensitive``)."""
        reveal = 1 if check_type(reveal_sensitive, bool, "reveal_sensitive") else 0
        return self._run(lambda: call_json(lib().tfs_engine_outputs, self._handle, reveal), None)  # type: ignore[no-any-return]

    def show_state(self) -> Dict[str, Any]:
        """``show -json`` of the current state."""
        return self._run(lambda: call_json(lib().tfs_engine_show_state, self._handle), None)  # type: ignore[no-any-return]

    def state_list(self, addresses: Optional[Sequence[str]] = None) -> List[str]:
        """``state list``: the resource addresses in the state (filtered by ``addresses``)."""
        filter_list = str_list(addresses, "addresses")
        filter_json = json.dumps(filter_list).encode() if filter_list is not None else None
        return self._run(lambda: call_json(lib().tfs_engine_state_list, self._handle, filter_json), None)  # type: ignore[no-any-return]

    def show_plan(self, plan_file: PathLike) -> Dict[str, Any]:
        """``show -json`` of a saved plan file: the engine's whole plan document (values in
        clear text, sensitive ones included: treat it as a secret)."""
        path = encode(plan_file, "plan_file", path=True)
        return self._run(lambda: call_json(lib().tfs_engine_show_plan, self._handle, path), None)  # type: ignore[no-any-return]

    def output_raw(self, name: str, reveal_sensitive: bool = False) -> str:
        """One output's value as plain text (``terraform output -raw NAME``). A sensitive output
        raises InvalidArgument unless ``reveal_sensitive``; NotFound when there is no such output."""
        n = encode(name, "name")
        reveal = 1 if check_type(reveal_sensitive, bool, "reveal_sensitive") else 0
        return self._run(lambda: call_string(lib().tfs_engine_output_raw, self._handle, n, reveal), None)  # type: ignore[no-any-return]

    @staticmethod
    def _plan_source(plan: Optional[PathLike], vars: Optional[Mapping[str, Any]], var_files: Optional[Sequence[PathLike]]) -> Optional[bytes]:
        return options_json(
            None,
            {
                "plan": os.fspath(check_type(plan, (str, os.PathLike), "plan")) if plan is not None else None,
                "vars": str_dict(dict(vars) if isinstance(vars, Mapping) else vars, "vars"),
                "var_files": str_list(var_files, "var_files"),
            },
        )

    def suggest_stages(
        self,
        *,
        plan: Optional[PathLike] = None,
        vars: Optional[Mapping[str, Any]] = None,
        var_files: Optional[Sequence[PathLike]] = None,
    ) -> Dict[str, Any]:
        """The stage order of the root's modules (``tfstage stages suggest``): ``{"groups",
        "targets", "depends_on"}``, from a fresh plan of the root, or from ``plan`` (a saved plan
        or ``show -json`` document)."""
        opts = self._plan_source(plan, vars, var_files)
        return self._run(lambda: call_json(lib().tfs_engine_stages_suggest, self._handle, opts), None)  # type: ignore[no-any-return]

    def expand_targets(
        self,
        pattern: str,
        *,
        plan: Optional[PathLike] = None,
        vars: Optional[Mapping[str, Any]] = None,
        var_files: Optional[Sequence[PathLike]] = None,
    ) -> List[str]:
        """The addresses a pattern or bare resource type selects among those the root knows
        (``tfstage targets expand``); [] when none."""
        p = encode(pattern, "pattern")
        opts = self._plan_source(plan, vars, var_files)
        document = self._run(lambda: call_json(lib().tfs_engine_targets_expand, self._handle, p, opts), None)
        return [str(a) for a in document["addresses"]]

    # -- workspaces ---------------------------------------------------------------------------

    def workspace_list(self) -> List[str]:
        return self._run(lambda: call_json(lib().tfs_engine_workspace_list, self._handle), None)  # type: ignore[no-any-return]

    def workspace_show(self) -> str:
        return self._run(lambda: call_string(lib().tfs_engine_workspace_show, self._handle), None)  # type: ignore[no-any-return]

    def workspace_new(self, name: str) -> None:
        """Creates a workspace and selects it (EngineError when it exists)."""
        n = encode(name, "name")
        self._run(lambda: lib().tfs_engine_workspace_new(self._handle, n), None)

    def workspace_select(self, name: str) -> None:
        """Selects a workspace (NotFound when it does not exist)."""
        n = encode(name, "name")
        self._run(lambda: lib().tfs_engine_workspace_select(self._handle, n), None)

    def workspace_select_or_create(self, name: str) -> None:
        n = encode(name, "name")
        self._run(lambda: lib().tfs_engine_workspace_select_or_create(self._handle, n), None)

    def workspace_delete(self, name: str, force: bool = False) -> None:
        n = encode(name, "name")
        f = 1 if check_type(force, bool, "force") else 0
        self._run(lambda: lib().tfs_engine_workspace_delete(self._handle, n, f), None)

    #: Shorter names.
    workspaces = workspace_list

    # -- commands -----------------------------------------------------------------------------

    def init(
        self,
        *,
        backend_config: Optional[Sequence[str]] = None,
        reconfigure: Optional[bool] = None,
        upgrade: Optional[bool] = None,
        backend: Optional[bool] = None,
        options: Options = None,
        on_event: Optional[EventHandler] = None,
    ) -> None:
        """``init``."""
        opts = options_json(
            options,
            {
                "backend_config": str_list(backend_config, "backend_config"),
                "reconfigure": check_type(reconfigure, bool, "reconfigure"),
                "upgrade": check_type(upgrade, bool, "upgrade"),
                "backend": check_type(backend, bool, "backend"),
            },
        )
        self._run(lambda: lib().tfs_engine_init(self._handle, opts), on_event)

    def plan(
        self,
        *,
        vars: Optional[Mapping[str, Any]] = None,
        var_files: Optional[Sequence[PathLike]] = None,
        targets: Optional[Sequence[str]] = None,
        excludes: Optional[Sequence[str]] = None,
        replace: Optional[Sequence[str]] = None,
        destroy: Optional[bool] = None,
        refresh_only: Optional[bool] = None,
        refresh: Optional[bool] = None,
        out: Optional[PathLike] = None,
        lock: Optional[bool] = None,
        lock_timeout: Optional[str] = None,
        parallelism: Optional[int] = None,
        options: Options = None,
        on_event: Optional[EventHandler] = None,
    ) -> "Plan":
        """``plan`` into a saved plan file, read back with ``show -json``. Without ``out`` the
        plan file is temporary and removed when the plan is closed. ``vars`` values are secret:
        they never appear in any message."""
        opts = options_json(
            options,
            {
                "vars": str_dict(dict(vars) if isinstance(vars, Mapping) else vars, "vars"),
                "var_files": str_list(var_files, "var_files"),
                "targets": str_list(targets, "targets"),
                "excludes": str_list(excludes, "excludes"),
                "replace": str_list(replace, "replace"),
                "destroy": check_type(destroy, bool, "destroy"),
                "refresh_only": check_type(refresh_only, bool, "refresh_only"),
                "refresh": check_type(refresh, bool, "refresh"),
                "out": check_type(out, (str, os.PathLike), "out"),
                "lock": check_type(lock, bool, "lock"),
                "lock_timeout": check_type(lock_timeout, str, "lock_timeout"),
                "parallelism": check_type(parallelism, int, "parallelism"),
            },
        )

        def call() -> Plan:
            pointer = c_void_p()
            lib().tfs_engine_plan(self._handle, opts, ctypes.byref(pointer))
            return Plan(pointer, self)

        return self._run(call, on_event)  # type: ignore[no-any-return]

    def apply(self, plan: "Plan", *, on_event: Optional[EventHandler] = None) -> Dict[str, Any]:
        """Applies exactly a saved plan (StalePlan when its file changed or the state moved
        past it): ``{"add", "change", "remove", ...}``."""
        if not isinstance(plan, Plan):
            raise TypeError("plan must be a tfstage.Plan, not %s" % type(plan).__name__)
        plan_handle = plan._handle
        return self._run(lambda: call_json(lib().tfs_engine_apply, self._handle, plan_handle), on_event)  # type: ignore[no-any-return]

    def destroy(
        self,
        *,
        vars: Optional[Mapping[str, Any]] = None,
        var_files: Optional[Sequence[PathLike]] = None,
        targets: Optional[Sequence[str]] = None,
        excludes: Optional[Sequence[str]] = None,
        lock: Optional[bool] = None,
        lock_timeout: Optional[str] = None,
        parallelism: Optional[int] = None,
        options: Options = None,
        on_event: Optional[EventHandler] = None,
    ) -> Dict[str, Any]:
        """``destroy -auto-approve``."""
        opts = options_json(
            options,
            {
                "vars": str_dict(dict(vars) if isinstance(vars, Mapping) else vars, "vars"),
                "var_files": str_list(var_files, "var_files"),
                "targets": str_list(targets, "targets"),
                "excludes": str_list(excludes, "excludes"),
                "lock": check_type(lock, bool, "lock"),
                "lock_timeout": check_type(lock_timeout, str, "lock_timeout"),
                "parallelism": check_type(parallelism, int, "parallelism"),
            },
        )
        return self._run(lambda: call_json(lib().tfs_engine_destroy, self._handle, opts), on_event)  # type: ignore[no-any-return]

    def open_plan(self, plan_file: PathLike) -> "Plan":
        """Opens a saved plan file made earlier (``show -json`` through this engine)."""
        path = encode(plan_file, "plan_file", path=True)

        def call() -> Plan:
            pointer = c_void_p()
            lib().tfs_plan_open_saved(ctypes.byref(pointer), self._handle, path)
            return Plan(pointer, self)

        return self._run(call, None)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return "<Engine %r%s>" % (self.__dict__.get("root_dir"), " closed" if self.closed else "")


class Plan(Handle):
    """A plan (``tfs_plan``): made by :meth:`Engine.plan`, opened from a saved plan file with
    :meth:`Engine.open_plan`, or read from a ``show -json`` document with :meth:`from_json` /
    :meth:`from_json_file`. Immutable; its queries are safe from several threads."""

    _free_name = "tfs_plan_free"

    def __init__(self, pointer: c_void_p, parent: Optional[object] = None) -> None:
        super().__init__(pointer, parent)

    @classmethod
    def from_json(cls, document: Union[str, bytes, Mapping[str, Any]]) -> "Plan":
        """A plan from the text (or the parsed dict) of ``terraform show -json PLANFILE``. It can
        be summarised and rendered, not applied."""
        if isinstance(document, Mapping):
            data = json.dumps(document).encode("utf-8")
        elif isinstance(document, str):
            data = document.encode("utf-8")
        elif isinstance(document, bytes):
            data = document
        else:
            raise TypeError("document must be JSON text or a dict, not %s" % type(document).__name__)
        pointer = c_void_p()
        lib().tfs_plan_open_json(ctypes.byref(pointer), data, len(data))
        return cls(pointer)

    @classmethod
    def from_json_file(cls, path: PathLike) -> "Plan":
        """A plan from a file holding ``terraform show -json PLANFILE``."""
        p = encode(path, "path", path=True)
        pointer = c_void_p()
        lib().tfs_plan_open_json_file(ctypes.byref(pointer), p)
        return cls(pointer)

    @property
    def engine(self) -> Optional[Engine]:
        """The engine that made or opened the plan (None for a plan read from JSON)."""
        return self._parent if isinstance(self._parent, Engine) else None

    @property
    def changes_present(self) -> bool:
        """Whether the plan changes anything (resources or outputs)."""
        out = c_int()
        lib().tfs_plan_changes_present(self._handle, ctypes.byref(out))
        return bool(out.value)

    @property
    def file(self) -> str:
        """The saved plan file's path ("" for a plan read from JSON)."""
        out = c_char_p()
        lib().tfs_plan_file(self._handle, ctypes.byref(out))
        return os.fsdecode(out.value or b"")

    def summary(self) -> Dict[str, Any]:
        """The summary document (``tfstage show --json``): ``counts``, ``changes``, ``outputs``..."""
        return call_json(lib().tfs_plan_summary, self._handle)  # type: ignore[no-any-return]

    def changes(self) -> Dict[str, Any]:
        """Every resource change (``resource_changes``) and ``output_changes``; no sensitive
        value."""
        return call_json(lib().tfs_plan_changes, self._handle)  # type: ignore[no-any-return]

    def provenance(self) -> Dict[str, Any]:
        """The provenance record (NotFound for a plan read from JSON)."""
        return call_json(lib().tfs_plan_provenance, self._handle)  # type: ignore[no-any-return]

    def hash(self) -> str:
        """The sha256 (lowercase hex) of the saved plan file (NotFound for a plan read from JSON)."""
        return call_string(lib().tfs_plan_hash, self._handle)

    def render(self, format: Union[str, int, RenderFormat] = "text") -> str:
        """The summary as ``"text"``, ``"markdown"`` or ``"json"`` (or a :class:`RenderFormat`)."""
        if isinstance(format, str):
            try:
                value = int(RenderFormat[format.upper()])
            except KeyError:
                raise ValueError("format must be 'text', 'markdown' or 'json', not %r" % format) from None
        elif isinstance(format, int) and not isinstance(format, bool):
            value = int(format)  # passed through: the library refuses unknown ones (InvalidArgument)
        else:
            raise TypeError("format must be a string or a RenderFormat, not %s" % type(format).__name__)
        return call_string(lib().tfs_plan_render, self._handle, value)

    def evaluate_policy(self, rules: Union[str, Mapping[str, Any]]) -> Dict[str, Any]:
        """Evaluates policy rules (YAML or JSON text, or a dict) against the plan:
        ``{"allowed": bool, "violations": [{"rule", "address", "message"}]}``. A refused plan is
        a result; malformed rules raise ParseError."""
        text: Optional[bytes]
        if isinstance(rules, Mapping):
            text = json.dumps(dict(rules)).encode("utf-8")
        else:
            text = encode(rules, "rules")
        return call_json(lib().tfs_plan_evaluate_policy, self._handle, text)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        if self.closed:
            return "<Plan closed>"
        try:
            return "<Plan %r>" % self.file
        except Exception:
            return "<Plan>"
