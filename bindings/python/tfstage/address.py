"""Terraform resource addresses and patterns (pure functions, safe from any thread)."""

from __future__ import annotations

import ctypes
import json
from ctypes import c_int
from typing import Any, Dict, Iterable, List

from ._lib import call_json, encode, lib, str_list

__all__ = ["parse", "match", "expand"]


def parse(text: str) -> Dict[str, Any]:
    """Parses an address (``'module.kafka["a"].aws_msk_cluster.this[0]'``): ``{"address"``
    (canonical text), ``"module_path"``, ``"mode"``, ``"type"``, ``"name"``, ``"key"``,
    ``"is_module"}``. ParseError (with the column in the message) for a malformed one."""
    return call_json(lib().tfs_address_parse, encode(text, "address"))  # type: ignore[no-any-return]


def match(pattern: str, address: str) -> bool:
    """Whether ``address`` is matched by ``pattern`` (an address, which matches itself and what
    it contains, or a pattern with ``*`` and ``**`` segments)."""
    out = c_int()
    lib().tfs_address_match(encode(pattern, "pattern"), encode(address, "address"), ctypes.byref(out))
    return bool(out.value)


def expand(pattern: str, known_addresses: Iterable[str]) -> List[str]:
    """The addresses of ``known_addresses`` (e.g. :meth:`Engine.state_list`) that a pattern or a
    bare resource type (``"aws_instance"``) stands for."""
    if isinstance(known_addresses, (str, bytes)) or not hasattr(known_addresses, "__iter__"):
        raise TypeError("known_addresses must be a list of strings, not %s" % type(known_addresses).__name__)
    known = str_list(list(known_addresses), "known_addresses")
    return call_json(lib().tfs_address_expand, encode(pattern, "pattern"), json.dumps(known).encode("utf-8"))  # type: ignore[no-any-return]
