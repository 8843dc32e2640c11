"""Event callbacks and blocking calls that Ctrl-C cancels.

- :class:`CallbackBridge` turns a Python callable into a ``tfs_event_cb``: the JSON text is
  parsed into a dict, a callable that raises or returns a true value cancels the operation
  (the C callback returns 1), and the exception is kept to be re-raised once the C call has
  returned. The ctypes callback object is kept referenced by the bridge, which the caller keeps
  while C may call it.
- :func:`call_cancellable` runs a blocking C call. From the main thread it runs the call in a
  worker thread and waits, so that Ctrl-C (KeyboardInterrupt) reaches Python: it then calls the
  operation's cancel function, waits for the C call to end, and re-raises KeyboardInterrupt.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, List, Optional, TypeVar

from ._lib import NULL_EVENT_CALLBACK, EventCallback

__all__ = ["Event", "EventHandler", "CallbackBridge", "call_cancellable"]

#: An event: the parsed JSON object (docs/events.md for rollouts; Terraform's -json UI events
#: and {"type": "output", "line": ...} for engines).
Event = Dict[str, Any]
#: A Python event callback: returns None/False/0 to go on; a true value (or an exception)
#: cancels.
EventHandler = Callable[[Event], Any]

_T = TypeVar("_T")


class CallbackBridge:
    """A Python event handler seen from C."""

    def __init__(self, handler: Optional[EventHandler], cancel_on: Optional[Callable[[], bool]] = None) -> None:
        if handler is not None and not callable(handler):
            raise TypeError("on_event must be callable, not %s" % type(handler).__name__)
        self.handler = handler
        self.error: Optional[BaseException] = None
        self.cancelled_by_callback = False
        self._cancel_on = cancel_on
        # Kept referenced here for as long as C may call it.
        self.c_callback: Any = EventCallback(self._trampoline) if handler is not None else NULL_EVENT_CALLBACK

    def _trampoline(self, event_json: Optional[bytes], payload: Optional[int]) -> int:
        # Never let an exception escape into C (ctypes would print it and return 0).
        try:
            if self.error is not None:
                return 1
            text = (event_json or b"").decode("utf-8", "replace")
            try:
                event: Event = json.loads(text) if text else {}
                if not isinstance(event, dict):
                    event = {"type": "unknown", "value": event}
            except ValueError:
                event = {"type": "unparsed", "text": text}
            result = self.handler(event) if self.handler is not None else None
            if result:  # a true value (non-zero) cancels, as in C
                self.cancelled_by_callback = True
                return 1
            if self._cancel_on is not None and self._cancel_on():
                return 1
            return 0
        except BaseException as e:  # noqa: B036 - KeyboardInterrupt in a callback cancels too
            self.error = e
            self.cancelled_by_callback = True
            return 1

    def reraise(self) -> None:
        """Re-raises the handler's exception, if it raised."""
        error = self.error
        if error is not None:
            self.error = None
            raise error


def call_cancellable(call: Callable[[], _T], cancel: Callable[[], Any]) -> _T:
    """Runs ``call()``; Ctrl-C in the main thread calls ``cancel()``, waits, and re-raises."""
    if threading.current_thread() is not threading.main_thread():
        return call()

    outcome: List[Any] = []
    # Waiting on an Event, never on Thread.join: a join interrupted by KeyboardInterrupt can
    # mark a thread that is still running as stopped (CPython 3.11, the bpo-45274 fix).
    done = threading.Event()

    def worker() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as e:  # noqa: B036 - carried over to the main thread
            outcome.append((False, e))
        finally:
            done.set()

    thread = threading.Thread(target=worker, name="tfstage-call")
    thread.start()
    interrupted: Optional[KeyboardInterrupt] = None
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt as e:
        # Cancel, then keep waiting for the C call to end: the library stops its children,
        # releases the state locks and returns. Cancelling is a flag the library ignores while
        # idle, and the call may not have started yet: cancel again until it ends. Further
        # Ctrl-C are absorbed meanwhile.
        interrupted = e
        while not done.is_set():
            try:
                cancel()
            except Exception:
                pass
            try:
                done.wait(0.2)
            except KeyboardInterrupt:
                continue
    ok, value = outcome[0] if outcome else (False, RuntimeError("the tfstage call ended without a result"))
    if interrupted is not None:
        if ok:
            _dispose(value)
        raise interrupted
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def _dispose(value: Any) -> None:
    close = getattr(value, "close", None)
    if callable(close):
        try:
            close()
        except Exception:
            pass
