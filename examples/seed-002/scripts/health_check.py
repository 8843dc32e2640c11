#!/usr/bin/env python3
"""Checks of seed 002's blue/green canary, reading the load balancer back from the AWS API
(moto here; AWS_ENDPOINT_URL names it, as scripts/with-moto exports it) and failing loudly.

    health_check.py target-group NAME              the target group exists (green is ready)
    health_check.py weights LISTENER_ARN GREEN     the listener sends GREEN % to green, the rest to
                                                   blue (at 100: green only, blue not named at all)
    health_check.py retired NAME                   the target group is gone (blue was destroyed)
"""
import sys

import boto3
from botocore.exceptions import ClientError


def elbv2():
    return boto3.client("elbv2")


def target_group_names(arns):
    if not arns:
        return {}
    groups = elbv2().describe_target_groups(TargetGroupArns=list(arns))["TargetGroups"]
    return {g["TargetGroupArn"]: g["TargetGroupName"] for g in groups}


def check_target_group(name):
    group = elbv2().describe_target_groups(Names=[name])["TargetGroups"][0]
    return f"target group {name} ready ({group['TargetGroupArn']})"


def check_weights(listener_arn, green):
    green = int(green)
    listener = elbv2().describe_listeners(ListenerArns=[listener_arn])["Listeners"][0]
    action = listener["DefaultActions"][0]
    assert action["Type"] == "forward", f"the listener's default action is {action['Type']}, not forward"
    forward = action.get("ForwardConfig", {}).get("TargetGroups")
    if forward is None:  # a plain forward to one target group
        forward = [{"TargetGroupArn": action["TargetGroupArn"], "Weight": 1}]
    names = target_group_names(tg["TargetGroupArn"] for tg in forward)
    total = sum(tg.get("Weight", 1) for tg in forward) or 1
    # By colour (the name's last part), in percent of the listener's traffic.
    share = {}
    for tg in forward:
        color = names[tg["TargetGroupArn"]].rsplit("-", 1)[-1]
        share[color] = share.get(color, 0) + 100 * tg.get("Weight", 1) / total
    expected = {"green": green, "blue": 100 - green}
    expected = {color: pct for color, pct in expected.items() if pct > 0}
    assert share == expected, f"the listener splits {share}, expected {expected}"
    return "traffic " + ", ".join(f"{c} {p:g} %" for c, p in sorted(share.items()))


def check_retired(name):
    try:
        groups = elbv2().describe_target_groups(Names=[name])["TargetGroups"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "TargetGroupNotFound":
            return f"target group {name} is gone"
        raise
    assert not groups, f"target group {name} still exists"
    return f"target group {name} is gone"


CHECKS = {"target-group": check_target_group, "weights": check_weights, "retired": check_retired}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CHECKS)}}} ARGS...")
    try:
        print("healthy:", CHECKS[sys.argv[1]](*sys.argv[2:]))
    except Exception as error:  # any failure is an unhealthy result, with its reason
        sys.exit(f"unhealthy: {error}")
