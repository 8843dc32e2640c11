#!/usr/bin/env python3
"""Seed 001's resource validation (validate-resources.sh), reading the stacks back from
CloudFormation and the services behind them. The endpoint comes from AWS_ENDPOINT_URL (moto's
server in the tests), the credentials from the environment.

  validate.py stack NAME [--outputs N]      the stack is CREATE/UPDATE_COMPLETE (with N outputs)
  validate.py table NAME                    the DynamoDB table exists and is ACTIVE
  validate.py parameter NAME VALUE          the SSM parameter holds VALUE
  validate.py queue URL                     the SQS queue exists
  validate.py gone NAME...                  none of these stacks exists any more
  validate.py only NAME...                  these are the only application stacks (CDKToolkit aside)
  validate.py all ENV                       everything the consolidated architecture promises
"""
import sys

import boto3
from botocore.exceptions import ClientError

COMPLETE = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}


def client(service):
    return boto3.client(service)


def live_stacks():
    stacks = {}
    for page in client("cloudformation").get_paginator("describe_stacks").paginate():
        for s in page["Stacks"]:
            if s["StackStatus"] != "DELETE_COMPLETE":
                stacks[s["StackName"]] = s
    return stacks


def check_stack(name, outputs=None):
    stacks = live_stacks()
    if name not in stacks:
        sys.exit(f"stack {name} does not exist (stacks: {', '.join(sorted(stacks))})")
    s = stacks[name]
    if s["StackStatus"] not in COMPLETE:
        sys.exit(f"stack {name} is {s['StackStatus']}")
    got = {o["OutputKey"]: o["OutputValue"] for o in s.get("Outputs", [])}
    if outputs is not None and len(got) != outputs:
        sys.exit(f"stack {name} has {len(got)} outputs, expected {outputs}: {sorted(got)}")
    print(f"{name}: {s['StackStatus']}, {len(got)} outputs")
    return got


def check_table(name):
    status = client("dynamodb").describe_table(TableName=name)["Table"]["TableStatus"]
    if status != "ACTIVE":
        sys.exit(f"table {name} is {status}")
    print(f"table {name}: {status}")


def check_parameter(name, expected):
    value = client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    if value != expected:
        sys.exit(f"parameter {name} is '{value}', expected '{expected}'")
    print(f"parameter {name} = {value}")


def check_queue(url):
    name = url.rstrip("/").rsplit("/", 1)[-1]
    client("sqs").get_queue_url(QueueName=name)
    print(f"queue {name}: exists")


def check_gone(names):
    stacks = live_stacks()
    left = [n for n in names if n in stacks]
    if left:
        sys.exit(f"stacks still there: {', '.join(left)}")
    print(f"gone: {', '.join(names)}")


def check_only(names):
    stacks = set(live_stacks()) - {"CDKToolkit"}
    if stacks != set(names):
        sys.exit(f"stacks are {sorted(stacks)}, expected exactly {sorted(names)}")
    print(f"only: {', '.join(sorted(stacks))}")


def check_all(env):
    db = check_stack(f"CeapDatabase-{env}", outputs=6)
    for key, value in db.items():
        if key.endswith("TableName"):
            check_table(value)
    platform = check_stack(f"CeapDataPlatform-{env}")
    serving = check_stack(f"CeapServingAPI-{env}")
    check_parameter(f"/ceap/{env}/data-platform/candidates-table", db["CandidatesTableName"])
    check_parameter(f"/ceap/{env}/data-platform/program-config-table", db["ProgramConfigTableName"])
    check_parameter(f"/ceap/{env}/serving-api/candidates-table", db["CandidatesTableName"])
    check_parameter(f"/ceap/{env}/serving-api/score-cache-table", db["ScoreCacheTableName"])
    for url in (platform["IngestQueueUrl"], platform["ScoringQueueUrl"], serving["ReactiveEventsQueueUrl"]):
        check_queue(url)
    if serving["ScoreCacheTableArn"] != db["ScoreCacheTableArn"]:
        sys.exit("the serving API's score cache ARN is not the database stack's export")
    print("cross-stack references: ok")


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    what, args = argv[1], argv[2:]
    try:
        if what == "stack":
            outputs = int(args[args.index("--outputs") + 1]) if "--outputs" in args else None
            check_stack(args[0], outputs)
        elif what == "table":
            check_table(args[0])
        elif what == "parameter":
            check_parameter(args[0], args[1])
        elif what == "queue":
            check_queue(args[0])
        elif what == "gone":
            check_gone(args)
        elif what == "only":
            check_only(args)
        elif what == "all":
            check_all(args[0] if args else "prod")
        else:
            sys.exit(__doc__)
    except ClientError as e:
        sys.exit(f"{what}: {e}")


if __name__ == "__main__":
    main(sys.argv)
