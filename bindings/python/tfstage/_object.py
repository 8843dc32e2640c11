"""The base of every class that owns a C handle (llvmlite's ObjectRef, simplified).

- ``close()`` frees the handle once; ``with`` closes it on exit.
- ``__del__`` closes it too and is safe at interpreter shutdown: it uses only what the object
  itself holds (the bound free function), never module globals, and swallows every error.
- A child keeps a reference to its parent (``_parent``), so the parent's handle is not freed by
  the garbage collector while the child lives. (The C library also keeps what a child needs of
  its parent alive, so a child stays usable after its parent is closed explicitly.)
"""

from __future__ import annotations

import threading
from ctypes import c_void_p
from typing import Any, Callable, Optional, Type, TypeVar

from .errors import ClosedError

__all__ = ["Handle"]

_T = TypeVar("_T", bound="Handle")


class Handle:
    """An owned C handle."""

    #: The C free function's name ("tfs_engine_free").
    _free_name: str = ""

    def __init__(self, pointer: c_void_p, parent: Optional[object] = None) -> None:
        from ._lib import lib

        if not pointer or not getattr(pointer, "value", None):
            raise ValueError("%s needs a non-NULL handle" % type(self).__name__)
        self._as_parameter_: Optional[c_void_p] = pointer
        self._parent = parent
        self._free: Optional[Callable[[Any], None]] = getattr(lib(), self._free_name)
        self._handle_lock = threading.RLock()

    # -- the handle -------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.__dict__.get("_as_parameter_") is None

    @property
    def _handle(self) -> c_void_p:
        """The pointer, for a C call (ClosedError once closed)."""
        pointer: Optional[c_void_p] = self.__dict__.get("_as_parameter_")
        if pointer is None:
            raise ClosedError("%s is closed" % type(self).__name__)
        return pointer

    def _release(self) -> None:
        """Frees the handle (subclasses may do more first)."""
        lock = self.__dict__.get("_handle_lock")
        if lock is None:
            return
        with lock:
            pointer = self.__dict__.get("_as_parameter_")
            if pointer is None:
                return
            self._as_parameter_ = None
            free = self.__dict__.get("_free")
            self._free = None
            if free is not None:
                free(pointer)

    def close(self) -> None:
        """Frees the C handle. Calling it again does nothing. Children made from this object stay
        usable (they keep what they need alive)."""
        self._release()

    def __enter__(self: _T) -> _T:
        self._handle  # raises ClosedError for a closed object
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self._release()
        except BaseException:  # noqa: B036 - never raise from __del__, not even at shutdown
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return "<%s %s>" % (type(self).__name__, state)
