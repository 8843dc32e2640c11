#!/usr/bin/env bash
# The ABI checker's own test: scripts/check-abi against a tiny C library (v1 as the baseline)
# must pass an identical build and an addition (a function, an enumerator at the end), and
# must fail on a removed function, a changed parameter type and a changed struct member.
#
#   tests/abi/check_abi_selftest.sh [CC]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check=$here/../../scripts/check-abi
cc=${1:-cc}
work=$(mktemp -d "${TMPDIR:-/tmp}/abi-selftest.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# make_version NAME: builds $work/NAME/libx.so from the header and source on stdin
# (separated by a line "---").
make_version() {
  local dir=$work/$1
  mkdir -p "$dir/include"
  awk -v h="$dir/include/x.h" -v c="$dir/x.c" '/^---$/ {out=1; next} { print > (out ? c : h) }'
  "$cc" -std=c99 -g -O0 -shared -fPIC -I "$dir/include" -o "$dir/libx.so" "$dir/x.c" -Wl,-soname,libx.so.1
}

header_v1='typedef enum x_status { X_OK = 0, X_ERROR = -1 } x_status;
typedef struct x_thing { int size; const char *name; } x_thing;
int x_open(x_thing **out, const char *name);
int x_size(const x_thing *thing, int *out);
void x_free(x_thing *thing);'
source_v1='#include <stdlib.h>
#include "x.h"
int x_open(x_thing **out, const char *name) { *out = malloc(sizeof **out); (*out)->size = 1; (*out)->name = name; return X_OK; }
int x_size(const x_thing *thing, int *out) { *out = thing->size; return X_OK; }
void x_free(x_thing *thing) { free(thing); }'

printf '%s\n---\n%s\n' "$header_v1" "$source_v1" | make_version v1
printf '%s\n---\n%s\n' "$header_v1" "$source_v1" | make_version same
printf '%s\nint x_added(void);\n---\n%s\nint x_added(void) { return X_ERROR; }\n' \
  "${header_v1/X_ERROR = -1 \}/X_ERROR = -1, X_EMORE = -2 \}}" "$source_v1" | make_version added
printf '%s\n---\n%s\n' "${header_v1/const char \*name);/long name);}" \
  "${source_v1/(x_thing \*\*out, const char \*name) \{/(x_thing **out, long name) \{}" \
  | sed 's/(\*out)->name = name;/(*out)->name = 0; (void)name;/' | make_version param
printf '%s\n---\n%s\n' "${header_v1/void x_free(x_thing \*thing);/}" \
  "${source_v1/void x_free(x_thing \*thing) \{ free(thing); \}/}" | make_version removed
printf '%s\n---\n%s\n' "${header_v1/int size;/long long size;}" \
  "$(printf '%s' "$source_v1" | sed 's/\*out = thing->size;/*out = (int)thing->size;/')" | make_version member

"$check" --update --baseline "$work/v1.abi" --headers-dir "$work/v1/include" "$work/v1/libx.so" >/dev/null

failures=0
expect() {  # expect pass|fail VERSION
  local want=$1 version=$2 got=pass
  "$check" --baseline "$work/v1.abi" --headers-dir "$work/$version/include" "$work/$version/libx.so" \
    >"$work/$version.log" 2>&1 || got=fail
  if [ "$got" = "$want" ]; then
    echo "ok: $version: $got"
  else
    echo "WRONG: $version: expected $want, got $got:"; sed 's/^/    /' "$work/$version.log"
    failures=$((failures + 1))
  fi
}
expect pass same
expect pass added
expect fail param
expect fail removed
expect fail member
[ "$failures" = 0 ]
