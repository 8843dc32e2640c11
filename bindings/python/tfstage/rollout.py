"""Rollouts (``tfs_rollout``), their runs (``tfs_run``), and the journal queries."""

from __future__ import annotations

import ctypes
import os
import queue
import threading
from ctypes import c_char_p, c_int, c_void_p
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence

from ._events import CallbackBridge, Event, EventHandler
from ._lib import PathLike, call_json, call_string, check_type, encode, lib, options_json, str_list
from ._object import Handle
from .engine import Options
from .errors import Status, TfstageError, error_class

__all__ = ["Rollout", "Run", "RunningRollout", "status", "history", "validate"]


class Run(Handle):
    """One run of a rollout (``tfs_run``), as it was when the call that made it returned."""

    _free_name = "tfs_run_free"

    @property
    def id(self) -> str:
        """The run id (``20251123-171502-3fa9``): its directory under ``<state_dir>/runs/``."""
        out = c_char_p()
        lib().tfs_run_id(self._handle, ctypes.byref(out))
        return (out.value or b"").decode("utf-8", "replace")

    def _outcome(self) -> "tuple[int, str]":
        code = c_int()
        name = c_char_p()
        lib().tfs_run_outcome(self._handle, ctypes.byref(code), ctypes.byref(name))
        return code.value, (name.value or b"").decode("utf-8", "replace")

    @property
    def status(self) -> int:
        """The outcome as a status code: ``Status.OK`` (succeeded), ``Status.ERROR`` (failed),
        ``Status.EAWAITING_APPROVAL``, ``Status.ECANCELLED``, ``Status.EDEADLINE``..."""
        code = self._outcome()[0]
        try:
            return Status(code)
        except ValueError:
            return code

    @property
    def outcome(self) -> str:
        """The journal's word for the outcome: ``"succeeded"``, ``"failed"``,
        ``"awaiting_approval"``, ``"policy_violation"``, ``"interrupted"``..."""
        return self._outcome()[1]

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self._outcome()[0] == Status.OK

    def raise_for_outcome(self) -> "Run":
        """Raises the exception of the outcome (AwaitingApproval, Cancelled, DeadlineExceeded,
        TfstageError for a failure...) unless the run succeeded; returns the run otherwise."""
        code, name = self._outcome()
        if code != Status.OK:
            raise error_class(code)("run %s ended %s" % (self.id, name), code=code)
        return self

    def journal(self) -> Dict[str, Any]:
        """The run's journal (``tfstage status --json``)."""
        return call_json(lib().tfs_run_journal, self._handle)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        if self.closed:
            return "<Run closed>"
        try:
            return "<Run %s %s>" % (self.id, self.outcome)
        except Exception:
            return "<Run>"


_DONE = object()


def _need_environment(environment: Optional[str], options: Options) -> None:
    """A run needs an environment: the argument, or in the options (dict or JSON text)."""
    if environment is not None or isinstance(options, (str, bytes)):
        return
    if isinstance(options, dict) and "environment" in options:
        return
    raise TypeError("environment must be a string, not None")


class RunningRollout:
    """A run (or resume, or approval) going on in a worker thread.

    Iterating over it yields the events (dicts, docs/events.md) as they happen, ending after
    ``rollout_finished``; :meth:`result` waits for the end and returns the :class:`Run`.
    Ctrl-C while the main thread iterates or waits cancels the run, waits for it to stop and
    re-raises KeyboardInterrupt. Leaving a ``with`` block cancels a run still going on.
    """

    def __init__(
        self,
        rollout: "Rollout",
        start: Callable[[Any], c_void_p],
        on_event: Optional[EventHandler],
        queue_events: bool = True,
    ) -> None:
        self._rollout = rollout  # kept alive while the run goes on
        self._events: "queue.Queue[Any]" = queue.Queue()
        self._queue_events = queue_events
        self._handler = on_event
        self._bridge = CallbackBridge(self._on_event)  # referenced until the C call returns
        self._start = start
        self._run: Optional[Run] = None
        self._error: Optional[BaseException] = None
        self._taken = False
        self._finished = threading.Event()
        self._iterated_done = False
        self._thread = threading.Thread(target=self._work, name="tfstage-rollout")

    def _begin(self) -> "RunningRollout":
        self._thread.start()
        return self

    def _on_event(self, event: Event) -> Any:
        if self._queue_events:
            self._events.put(event)
        if self._handler is not None:
            return self._handler(event)
        return None

    def _work(self) -> None:
        try:
            pointer = self._start(self._bridge.c_callback)
            if pointer:
                self._run = Run(pointer, self._rollout)
        except BaseException as e:  # noqa: B036 - carried over to the waiting thread
            self._error = e
        finally:
            self._rollout._running = None
            self._finished.set()
            self._events.put(_DONE)

    # -- waiting ------------------------------------------------------------------------------

    def _wait(self, timeout: Optional[float]) -> bool:
        """Waits for the C call to end; Ctrl-C cancels, waits and re-raises."""
        try:
            return self._finished.wait(timeout) if timeout is not None else self._wait_forever()
        except KeyboardInterrupt:
            self._interrupted()
            raise

    def _wait_forever(self) -> bool:
        while not self._finished.wait(0.2):
            pass
        return True

    def _interrupted(self) -> None:
        """Ctrl-C: cancel, then wait for the run to stop (further Ctrl-C are absorbed)."""
        while True:
            try:
                self._cancel_and_wait()
                return
            except KeyboardInterrupt:
                continue

    def _cancel_and_wait(self) -> None:
        # Cancelling is a flag the library ignores while no run is in progress: the C call may
        # not have started yet (the worker thread was just launched), so cancel again until the
        # run has ended. Repeating it does nothing more.
        while not self._finished.is_set():
            self.cancel()
            self._finished.wait(0.2)

    def done(self) -> bool:
        """Whether the run has ended."""
        return self._finished.is_set()

    def cancel(self) -> None:
        """Cancels the run (``tfs_rollout_cancel``): children get SIGINT, state locks are
        released, the run ends cancelled. Safe from any thread; no effect once it has ended."""
        if not self._finished.is_set():
            self._rollout.cancel()

    def result(self, timeout: Optional[float] = None) -> Run:
        """Waits for the run to end and returns it (whatever its outcome: see
        :attr:`Run.outcome`, :meth:`Run.raise_for_outcome`). Raises the error of a run that
        could not start, or the exception an event callback raised (the run was then cancelled).
        TimeoutError when ``timeout`` seconds pass first."""
        if not self._wait(timeout):
            raise TimeoutError("the rollout is still running")
        self._thread.join()
        if self._bridge.error is not None:
            error = self._bridge.error
            self._bridge.error = None
            self._close_run()
            raise error
        if self._error is not None:
            raise self._error
        if self._run is None:
            raise TfstageError("the rollout ended without a run")
        self._taken = True
        return self._run

    def _close_run(self) -> None:
        if self._run is not None:
            self._run.close()

    # -- events -------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        if self._iterated_done:
            raise StopIteration
        try:
            while True:
                try:
                    item = self._events.get(timeout=0.2)
                    break
                except queue.Empty:
                    continue
        except KeyboardInterrupt:
            self._interrupted()
            raise
        if item is _DONE:
            self._iterated_done = True
            raise StopIteration
        return item  # type: ignore[no-any-return]

    def events(self) -> Iterator[Event]:
        """The events, as an iterator (the same as iterating over this object)."""
        return iter(self)

    # -- context ------------------------------------------------------------------------------

    def __enter__(self) -> "RunningRollout":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if not self._finished.is_set():
            try:
                self._cancel_and_wait()
            except KeyboardInterrupt:
                self._interrupted()
                raise
        self._thread.join()
        if not self._taken:
            self._close_run()


class Rollout(Handle):
    """A loaded and validated rollout file (``tfs_rollout``).

    One run, resume or approval at a time per rollout; :meth:`cancel` from any thread.

    >>> with Rollout("rollout.yaml") as rollout:
    ...     run = rollout.run("staging", cli_config=".cache/terraformrc")
    ...     print(run.id, run.outcome)
    """

    _free_name = "tfs_rollout_free"

    def __init__(self, path: PathLike) -> None:
        p = encode(path, "path", path=True)
        pointer = c_void_p()
        lib().tfs_rollout_load(ctypes.byref(pointer), p)
        super().__init__(pointer)
        self.path = os.fspath(path)
        self._running: Optional[RunningRollout] = None
        self._start_lock = threading.Lock()

    @classmethod
    def load(cls, path: PathLike) -> "Rollout":
        """Loads and validates a rollout file (ParseError with one diagnostic per problem)."""
        return cls(path)

    def close(self) -> None:
        """Frees the rollout; a run still going on is cancelled and waited for first. Runs made
        from it stay usable."""
        running = self.__dict__.get("_running")
        if running is not None:
            try:
                running._cancel_and_wait()
            except KeyboardInterrupt:
                running._interrupted()
                raise
        super().close()

    def describe(self) -> Dict[str, Any]:
        """The loaded file: ``name``, ``roots``, ``environments``, ``stages`` (no variable values)."""
        return call_json(lib().tfs_rollout_describe, self._handle)  # type: ignore[no-any-return]

    def graph(self, format: str = "dot") -> str:
        """The stage graph as ``"dot"``, ``"mermaid"`` or ``"json"`` text."""
        return call_string(lib().tfs_rollout_graph, self._handle, encode(format, "format"))

    def cancel(self) -> None:
        """Cancels the run in progress on this rollout. Safe from any thread."""
        pointer = self.__dict__.get("_as_parameter_")
        if pointer is not None:
            lib().tfs_rollout_cancel(pointer)

    # -- runs ---------------------------------------------------------------------------------

    @staticmethod
    def _common_options(kw: Dict[str, Any]) -> Dict[str, Any]:
        """The keys every kind of run takes (run, resume, approve, rollback), taken out of ``kw``."""
        values = {
            "auto_approve": check_type(kw.pop("auto_approve", None), bool, "auto_approve"),
            "approve": str_list(kw.pop("approve", None), "approve"),
            "state_dir": check_type(kw.pop("state_dir", None), (str, os.PathLike), "state_dir"),
            "cli_config": check_type(kw.pop("cli_config", None), (str, os.PathLike), "cli_config"),
            "grace_ms": check_type(kw.pop("grace_ms", None), int, "grace_ms"),
            "approver": check_type(kw.pop("approver", None), str, "approver"),
        }
        for key in ("state_dir", "cli_config"):
            if values[key] is not None:
                values[key] = os.fspath(values[key])
        return values

    @staticmethod
    def _options(options: Options, environment: Optional[str], kw: Dict[str, Any]) -> Optional[bytes]:
        values = {
            "environment": check_type(environment, str, "environment"),
            **Rollout._common_options(kw),
            "only": str_list(kw.pop("only", None), "only"),
            "from": check_type(kw.pop("from_stage", None), str, "from_stage"),
            "parallelism": check_type(kw.pop("parallelism", None), int, "parallelism"),
            "plan_only": check_type(kw.pop("plan_only", None), bool, "plan_only"),
            "converge": check_type(kw.pop("converge", None), bool, "converge"),
            "unconverged": check_type(kw.pop("unconverged", None), str, "unconverged"),
            "allow_dirty": check_type(kw.pop("allow_dirty", None), bool, "allow_dirty"),
            "allow_branch": check_type(kw.pop("allow_branch", None), bool, "allow_branch"),
            "allow_behind": check_type(kw.pop("allow_behind", None), bool, "allow_behind"),
            "changed_since": check_type(kw.pop("changed_since", None), str, "changed_since"),
        }
        if kw:
            raise TypeError("unexpected keyword argument(s): %s" % ", ".join(sorted(kw)))
        if values["unconverged"] not in (None, "failure", "warning"):
            raise ValueError("unconverged must be 'failure' or 'warning', not %r" % values["unconverged"])
        return options_json(options, values)

    def _launch(self, start: Callable[[Any], c_void_p], on_event: Optional[EventHandler], queue_events: bool) -> RunningRollout:
        if on_event is not None and not callable(on_event):
            raise TypeError("on_event must be callable, not %s" % type(on_event).__name__)
        self._handle
        with self._start_lock:
            if self._running is not None:
                raise TfstageError("this rollout is already running (one run, resume or approval at a time)")
            running = RunningRollout(self, start, on_event, queue_events)
            self._running = running
        try:
            return running._begin()
        except BaseException:
            self._running = None
            raise

    @staticmethod
    def _starter(function: Any, *arguments: Any) -> Callable[[Any], c_void_p]:
        """The start of a run in the worker thread: ``function(*arguments, callback, NULL,
        &out)`` (tfs_rollout_run, _resume, _approve or _rollback); the run it made is freed
        if the call raises after all."""

        def start(callback: Any) -> c_void_p:
            out = c_void_p()
            try:
                function(*arguments, callback, None, ctypes.byref(out))
            except BaseException:
                if out.value:
                    lib().tfs_run_free(out)
                raise
            return out

        return start

    def _run_start(self, options: Optional[bytes]) -> Callable[[Any], c_void_p]:
        return self._starter(lib().tfs_rollout_run, self._handle, options)

    def _resume_start(self, run_id: Optional[str], options: Optional[bytes]) -> Callable[[Any], c_void_p]:
        return self._starter(lib().tfs_rollout_resume, self._handle, encode(run_id, "run_id", optional=True), options)

    def _approve_start(self, stage: str, run_id: Optional[str], options: Optional[bytes]) -> Callable[[Any], c_void_p]:
        rid = encode(run_id, "run_id", optional=True)
        return self._starter(lib().tfs_rollout_approve, self._handle, rid, encode(stage, "stage"), options)

    def _rollback_start(self, run_id: str, options: Optional[bytes]) -> Callable[[Any], c_void_p]:
        return self._starter(lib().tfs_rollout_rollback, self._handle, encode(run_id, "run_id"), options)

    @staticmethod
    def _rollback_options(options: Options, kw: Dict[str, Any]) -> Optional[bytes]:
        values = Rollout._common_options(kw)
        if kw:
            raise TypeError("unexpected keyword argument(s): %s" % ", ".join(sorted(kw)))
        return options_json(options, values)

    def start_rollback(
        self,
        run_id: str,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> RunningRollout:
        """As :meth:`rollback`, in a worker thread (see :meth:`start`)."""
        opts = self._rollback_options(options, kwargs)
        return self._launch(self._rollback_start(run_id, opts), on_event, True)

    def rollback(
        self,
        run_id: str,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        approve: Optional[Sequence[str]] = None,
        auto_approve: Optional[bool] = None,
        state_dir: Optional[PathLike] = None,
        cli_config: Optional[PathLike] = None,
        grace_ms: Optional[int] = None,
        approver: Optional[str] = None,
    ) -> Run:
        """Rolls back run ``run_id`` (``tfstage rollback RUN``): the configuration of the last
        successful run before it is planned from that run's commit and applied stage by stage in
        reverse order, through the same gates. Returns the rollback's :class:`Run` (kind
        "rollback") whatever its outcome."""
        opts = self._rollback_options(
            options,
            dict(approve=approve, auto_approve=auto_approve, state_dir=state_dir, cli_config=cli_config,
                 grace_ms=grace_ms, approver=approver),
        )
        return self._launch(self._rollback_start(run_id, opts), on_event, False).result()

    def start(
        self,
        environment: str,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> RunningRollout:
        """Starts a run in a worker thread: iterate over the result for the events, then call
        ``.result()`` for the :class:`Run`. Keyword arguments as for :meth:`run`."""
        _need_environment(environment, options)
        opts = self._options(options, environment, kwargs)
        return self._launch(self._run_start(opts), on_event, True)

    def run(
        self,
        environment: str,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        auto_approve: Optional[bool] = None,
        approve: Optional[Sequence[str]] = None,
        only: Optional[Sequence[str]] = None,
        from_stage: Optional[str] = None,
        parallelism: Optional[int] = None,
        plan_only: Optional[bool] = None,
        state_dir: Optional[PathLike] = None,
        cli_config: Optional[PathLike] = None,
        converge: Optional[bool] = None,
        unconverged: Optional[str] = None,
        grace_ms: Optional[int] = None,
        approver: Optional[str] = None,
        allow_dirty: Optional[bool] = None,
        allow_branch: Optional[bool] = None,
        allow_behind: Optional[bool] = None,
        changed_since: Optional[str] = None,
    ) -> Run:
        """Runs the rollout in one environment (``tfstage run``) and returns the :class:`Run`
        whatever its outcome. ``on_event`` receives each event (a dict); returning a true value
        or raising cancels the run (the exception is re-raised). Ctrl-C cancels the run cleanly
        and re-raises KeyboardInterrupt. ``plan_only`` is ``tfstage plan``. ``allow_dirty``,
        ``allow_branch`` and ``allow_behind`` override the environment's git guards (journaled);
        ``changed_since`` runs only the stages whose code changed since that git revision."""
        _need_environment(environment, options)
        opts = self._options(
            options,
            environment,
            dict(
                auto_approve=auto_approve, approve=approve, only=only, from_stage=from_stage,
                parallelism=parallelism, plan_only=plan_only, state_dir=state_dir, cli_config=cli_config,
                converge=converge, unconverged=unconverged, grace_ms=grace_ms, approver=approver,
                allow_dirty=allow_dirty, allow_branch=allow_branch, allow_behind=allow_behind,
                changed_since=changed_since,
            ),
        )
        return self._launch(self._run_start(opts), on_event, False).result()

    def start_resume(
        self,
        run_id: Optional[str] = None,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> RunningRollout:
        """As :meth:`resume`, in a worker thread (see :meth:`start`)."""
        opts = self._options(options, None, kwargs)
        return self._launch(self._resume_start(run_id, opts), on_event, True)

    def resume(
        self,
        run_id: Optional[str] = None,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> Run:
        """Continues a run from its journal (``tfstage resume``; the latest run when ``run_id``
        is None). ``approve=["STAGE" or "STAGE=SHA256", ...]`` approves the plans now awaiting
        approval for those stages (refused when there is none, or when the hash is not theirs).
        Keyword arguments as for :meth:`run` (the environment comes from the journal)."""
        opts = self._options(options, None, kwargs)
        return self._launch(self._resume_start(run_id, opts), on_event, False).result()

    def start_approve(
        self,
        stage: str,
        run_id: Optional[str] = None,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> RunningRollout:
        """As :meth:`approve`, in a worker thread (see :meth:`start`)."""
        opts = self._options(options, None, kwargs)
        return self._launch(self._approve_start(stage, run_id, opts), on_event, True)

    def approve(
        self,
        stage: str,
        run_id: Optional[str] = None,
        *,
        on_event: Optional[EventHandler] = None,
        options: Options = None,
        **kwargs: Any,
    ) -> Run:
        """Approves the plan awaiting approval for ``stage`` (or ``"STAGE=SHA256"``: only if
        that is the plan awaiting) and continues the run. The plan is applied only if its hash
        still matches the one shown at the gate; a plan made again (stale, or the stage's
        inputs changed) stops at the gate again, and no other stage's plan is approved."""
        opts = self._options(options, None, kwargs)
        return self._launch(self._approve_start(stage, run_id, opts), on_event, False).result()

    def __repr__(self) -> str:
        return "<Rollout %r%s>" % (self.__dict__.get("path"), " closed" if self.closed else "")


def status(state_dir: PathLike, run_id: Optional[str] = None) -> Dict[str, Any]:
    """A run's journal from a state directory (``tfstage status``); the latest run when
    ``run_id`` is None. NotFound when there is no such run."""
    return call_json(  # type: ignore[no-any-return]
        lib().tfs_rollout_status, encode(state_dir, "state_dir", path=True), encode(run_id, "run_id", optional=True)
    )


def history(state_dir: PathLike) -> List[Dict[str, Any]]:
    """Every run in a state directory, oldest first (``tfstage history --json``)."""
    return call_json(lib().tfs_rollout_history, encode(state_dir, "state_dir", path=True))  # type: ignore[no-any-return]


def validate(path: PathLike) -> Dict[str, Any]:
    """Validates a rollout file (``tfstage validate FILE --json``): ``{"valid", "problems",
    ...}``, each problem a diagnostic (``summary``, ``filename``, ``line``, ``column``, the key in
    ``address``). An invalid file is a result; NotFound when the file cannot be opened."""
    return call_json(lib().tfs_rollout_validate, encode(path, "path", path=True))  # type: ignore[no-any-return]
