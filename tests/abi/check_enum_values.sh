#!/usr/bin/env bash
# abi.enum_values: tests/abi/enum_values.c holds the released value of every public enumerator
# and compiles only while they are unchanged; every enumerator of include/tfstage/*.h must have
# its line there (a new status code gets one when it is added).
#   check_enum_values.sh C_COMPILER SOURCE_DIR
set -euo pipefail
cc=$1
top=$2
values=$top/tests/abi/enum_values.c
"$cc" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I "$top/include" "$values"
missing=0
for name in $(grep -ohE '^[[:space:]]*TFS_[A-Z0-9_]+[[:space:]]*=' "$top"/include/tfstage/*.h | tr -d ' =' | sort -u); do
  if ! grep -q "TFS_STABLE($name," "$values"; then
    echo "abi.enum_values: $name has no line in tests/abi/enum_values.c: add its value there" >&2
    missing=1
  fi
done
exit $missing
