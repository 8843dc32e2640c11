#!/bin/sh
# Test knob of module.lambda_processors (see README.md): with no variables set
# it does nothing. Inputs come from the environment of the local-exec.
if [ "${FAIL_ALWAYS:-false}" = "true" ]; then
  echo "simulated failure (fail_always)" >&2
  exit 1
fi
if [ -n "${MARKER:-}" ] && [ ! -e "$MARKER" ]; then
  touch "$MARKER"
  echo "simulated failure (fail_marker_file $MARKER)" >&2
  exit 1
fi
if [ "${DELAY:-0}" != "0" ]; then
  sleep "$DELAY"
fi
echo "deploy hook done"
