#!/usr/bin/env python3
"""Health check between stages, as seed 000's scripts/health_check.sh: reads the deployed
resources back from the AWS API (moto here; AWS_ENDPOINT_URL names it) and fails loudly.

    health_check.py vpc VPC_ID
    health_check.py kafka CLUSTER_ARN          (a terraform_data stand-in: the ARN's shape)
    health_check.py storage BUCKET KMS_KEY_ID
"""
import sys

import boto3


def check_vpc(vpc_id):
    vpcs = boto3.client("ec2").describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    assert vpcs and vpcs[0]["State"] == "available", f"VPC {vpc_id} is not available"
    return f"VPC {vpc_id} available"


def check_kafka(cluster_arn):
    assert cluster_arn.startswith("arn:aws:kafka:"), f"not an MSK cluster ARN: {cluster_arn}"
    return f"MSK cluster {cluster_arn.rsplit('/', 2)[-2]} recorded"


def check_storage(bucket, key_id):
    boto3.client("s3").head_bucket(Bucket=bucket)
    state = boto3.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]
    assert state == "Enabled", f"KMS key {key_id} is {state}"
    return f"bucket {bucket} and KMS key {key_id} healthy"


CHECKS = {"vpc": check_vpc, "kafka": check_kafka, "storage": check_storage}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CHECKS)}}} ARGS...")
    try:
        print("healthy:", CHECKS[sys.argv[1]](*sys.argv[2:]))
    except Exception as error:  # any failure is an unhealthy result, with its reason
        sys.exit(f"unhealthy: {error}")
