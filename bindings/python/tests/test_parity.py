"""Parity: every verb and option of the `tfstage` command can be done from C and from Python
(issue 12). The verbs and options come from the command's own --help, so a new option of the
command fails here until parity_table.py says how C and Python do it, and that way exists."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

import tfstage
from tfstage._lib import lib

from conftest import REPO_ROOT
from parity_table import INHERENT, TABLE, Way


def command() -> str:
    path = os.environ.get("TFSTAGE_COMMAND") or str(REPO_ROOT / "build" / "ci" / "cmd" / "tfstage" / "tfstage")
    if not os.path.isfile(path):
        pytest.fail("no tfstage command at %s: build it, or set TFSTAGE_COMMAND" % path, pytrace=False)
    return path


def help_of(words: List[str]) -> str:
    result = subprocess.run([command(), *words, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def section(text: str, title: str) -> List[str]:
    """The entry lines of a --help section ("Options:", "Positionals:", "Subcommands:")."""
    lines: List[str] = []
    inside = False
    for line in text.splitlines():
        if line.strip() == title:
            inside = True
            continue
        if inside:
            if not line.strip() or not line.startswith(" "):
                if lines:
                    break
                continue
            if re.match(r"^  \S", line):
                lines.append(line.strip())
    return lines


def option_names(text: str) -> List[str]:
    """Long option names ("--env" for "-e,--env TEXT") and positional names ("FILE")."""
    names: List[str] = []
    for line in section(text, "Positionals:"):
        names.append(line.split()[0])
    for line in section(text, "Options:"):
        spec = line.split()[0]
        names.append([part for part in spec.split(",") if part.startswith("--")][-1])
    return names


def cli_surface() -> Dict[str, List[str]]:
    """verb (subcommands joined by a space) -> its options, for every leaf verb, plus "" for the
    global options."""
    surface: Dict[str, List[str]] = {}
    top = help_of([])
    surface[""] = option_names(top)
    pending = [[line.split()[0]] for line in section(top, "Subcommands:")]
    while pending:
        words = pending.pop(0)
        text = help_of(words)
        subcommands = section(text, "Subcommands:")
        if subcommands:
            pending.extend(words + [line.split()[0]] for line in subcommands)
        else:
            surface[" ".join(words)] = option_names(text)
    return surface


def declared_functions() -> Set[str]:
    names: Set[str] = set()
    for header in (REPO_ROOT / "include" / "tfstage").glob("*.h"):
        names.update(re.findall(r"TFS_EXTERN\([^)]*\)\s*(tfs_\w+)\s*\(", header.read_text()))
    return names


def python_problem(path: str) -> str:
    """"" when the Python path exists, else what is missing."""
    target, _, keyword = path.partition(":")
    owner_name, _, attribute = target.rpartition(".")
    owner = tfstage if owner_name == "tfstage" else getattr(tfstage, owner_name, None)
    if owner is None:
        return "tfstage.%s does not exist" % owner_name
    if not hasattr(owner, attribute):
        return "%s has no %s" % (owner_name, attribute)
    if keyword:
        member = getattr(owner, attribute)
        parameters = inspect.signature(member).parameters
        if keyword not in parameters:
            return "%s.%s takes no %s" % (owner_name, attribute, keyword)
    return ""


def way_problems(where: str, way: Way, declared: Set[str], keys: Dict[str, List[str]]) -> List[str]:
    problems: List[str] = []
    if way.c not in declared:
        problems.append("%s: %s is not declared in include/tfstage/*.h" % (where, way.c))
    elif not hasattr(lib().raw, way.c):
        problems.append("%s: %s is not exported by %s" % (where, way.c, lib().path))
    if way.key is not None:
        kind, key = way.key
        if kind not in keys:
            keys[kind] = tfstage.option_keys(kind)
        if key not in keys[kind]:
            problems.append('%s: options of kind "%s" have no key "%s"' % (where, kind, key))
    missing = python_problem(way.python)
    if missing:
        problems.append("%s: Python: %s" % (where, missing))
    return problems


def test_every_verb_and_option_of_the_command_is_reachable_from_c_and_python() -> None:
    surface = cli_surface()
    assert "run" in surface and "engine plan" in surface and "--target" in surface["engine plan"]
    declared = declared_functions()
    keys: Dict[str, List[str]] = {}
    problems: List[str] = []
    for verb, options in sorted(surface.items()):
        entries = TABLE.get(verb)
        label = "tfstage %s" % verb if verb else "tfstage (global)"
        if entries is None:
            problems.append("%s: not in parity_table.py" % label)
            continue
        if verb and "" not in entries:
            problems.append("%s: the verb itself is not in parity_table.py" % label)
        for option in options:
            if option in INHERENT:
                continue
            if option not in entries:
                problems.append("%s %s: not in parity_table.py" % (label, option))
        for option, way in entries.items():
            if option and option not in options:
                problems.append("%s %s: in parity_table.py, but the command has no such option" % (label, option))
            problems.extend(way_problems("%s %s" % (label, option or "(verb)"), way, declared, keys))
    for verb in TABLE:
        if verb not in surface:
            problems.append("tfstage %s: in parity_table.py, but the command has no such verb" % verb)
    assert not problems, "C/Python parity with the command:\n  " + "\n  ".join(problems)


def test_the_table_checks_what_it_names() -> None:
    """The checker itself: a missing function, key or keyword is reported."""
    declared = declared_functions()
    keys: Dict[str, List[str]] = {}
    assert way_problems("x", Way("tfs_no_such_function", None, "Engine.plan"), declared, keys)
    assert way_problems("x", Way("tfs_engine_plan", ("plan", "no_such_key"), "Engine.plan"), declared, keys)
    assert way_problems("x", Way("tfs_engine_plan", None, "Engine.plan:no_such_keyword"), declared, keys)
    assert way_problems("x", Way("tfs_engine_plan", None, "Engine.no_such_method"), declared, keys)
    assert not way_problems("x", Way("tfs_engine_plan", ("plan", "targets"), "Engine.plan:targets"), declared, keys)
