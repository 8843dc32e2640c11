#!/usr/bin/env python3
"""Health checks of seed 003's blue/green rollout (its phase 2 `curl -f .../health` and its
automated rollback triggers), on terraform_data stand-ins: the values come from the root's
outputs, as tfstage substitutes them (${output.NAME}), or read with `terraform output`.

    health_check.py deployed RELEASE HEALTH_URL      blue runs the release, at an https /health URL
    health_check.py live COLOR ERROR_RATE            the live colour serves under 1 % errors
    health_check.py rollback ROOT_DIR                after a rollback: green is live again and healthy

The seed's trigger: "Error rate > 1% for 5 consecutive minutes" starts the automated rollback.
"""
import json
import subprocess
import sys

MAX_ERROR_RATE = 1.0


def check_deployed(release, health_url):
    assert release.startswith("v"), f"no release deployed (got {release!r})"
    assert health_url.startswith("https://") and health_url.endswith("/health"), f"bad health URL {health_url!r}"
    return f"release {release} deployed, health endpoint {health_url}"


def check_live(color, error_rate):
    rate = float(error_rate)
    assert rate <= MAX_ERROR_RATE, f"{color} is live and serves {rate:g} % errors (limit {MAX_ERROR_RATE:g} %)"
    return f"{color} is live, error rate {rate:g} %"


def check_rollback(root_dir):
    # Read after the rollback's own apply: ${output.NAME} would still hold the values of the
    # failed stage.
    out = subprocess.run(["terraform", f"-chdir={root_dir}", "output", "-json"],
                         check=True, capture_output=True, text=True).stdout
    outputs = {name: o["value"] for name, o in json.loads(out).items()}
    assert outputs["live_color"] == "green", f"traffic is still on {outputs['live_color']}"
    return "rolled back: " + check_live(outputs["live_color"], outputs["live_error_rate"])


CHECKS = {"deployed": check_deployed, "live": check_live, "rollback": check_rollback}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CHECKS)}}} ARGS...")
    try:
        print("healthy:", CHECKS[sys.argv[1]](*sys.argv[2:]))
    except Exception as error:  # any failure is an unhealthy result, with its reason
        sys.exit(f"unhealthy: {error}")
