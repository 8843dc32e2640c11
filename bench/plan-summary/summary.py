#!/usr/bin/env python3
"""Summarise a `terraform show -json` plan with the standard json module.

Prints one JSON object with the integer keys create, update, delete, replace,
read, no_op, import and forget (sorted keys). A replace ([delete, create] or
[create, delete]) counts only as a replace; import counts resource changes whose
change.importing is non-null, in addition to their own action.
"""
import json
import sys

SINGLE = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "read": "read",
    "no-op": "no_op",
    "forget": "forget",
}
REPLACE = (["delete", "create"], ["create", "delete"])


def summarise(plan):
    counts = dict.fromkeys(
        ("create", "update", "delete", "replace", "read", "no_op", "import", "forget"), 0
    )
    for rc in plan.get("resource_changes") or ():
        change = rc.get("change") or {}
        actions = change.get("actions") or []
        if actions in REPLACE:
            counts["replace"] += 1
        elif len(actions) == 1 and actions[0] in SINGLE:
            counts[SINGLE[actions[0]]] += 1
        else:
            raise SystemExit(f"{rc.get('address')}: unexpected actions {actions}")
        if change.get("importing") is not None:
            counts["import"] += 1
    return counts


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: summary.py PLAN.json")
    with open(sys.argv[1], "rb") as f:
        plan = json.load(f)
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise SystemExit("not a plan: format_version is missing")
    print(json.dumps(summarise(plan), sort_keys=True, separators=(",", ":")))


if __name__ == "__main__":
    main()
