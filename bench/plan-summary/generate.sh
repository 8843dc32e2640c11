#!/usr/bin/env bash
# Generate a large, real Terraform plan for bench/plan-summary and cache its
# `terraform show -json` output.
#
#   generate.sh [--force]      prints the path of the cached show -json file
#
# Environment:
#   PLAN_SUMMARY_CACHE   cache dir (default: <repo>/.cache/bench/plan-summary)
#   TERRAFORM            terraform binary (default: terraform; 1.11.4 expected)
#   BENCH_REGIONS        regions, space-separated (default: "eu-west-1 us-east-1 ap-south-1")
#   BENCH_CLUSTERS       clusters per region (default 5)
#   BENCH_NODES          nodes per cluster (default 140)
#   BENCH_POLICIES       ~1 KiB policy documents per node input (default 42)
#
# Phase 1 applies a small estate to a local state (a few dozen tiny
# terraform_data). Phase 2 plans the large estate against it: creates of
# 3 x 5 x 140 = 2100 nodes with ~59 KB inputs, plus no-op, update, replace (both
# orders), delete, read, import and forget changes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PLAN_SUMMARY_CACHE:-$repo/.cache/bench/plan-summary}
terraform=${TERRAFORM:-terraform}
plan_json=$cache/plan.json

force=0
for arg in "$@"; do
  case $arg in
    --force) force=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "generate.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

if [[ $force == 0 && -s $plan_json ]]; then
  echo "$plan_json"
  exit 0
fi

export TF_CLI_CONFIG_FILE=$repo/.cache/terraformrc TF_IN_AUTOMATION=1 TF_INPUT=0
export CHECKPOINT_DISABLE=1 NO_COLOR=1
unset TF_LOG TF_WORKSPACE

regions=${BENCH_REGIONS:-eu-west-1 us-east-1 ap-south-1}
read -ra region_list <<<"$regions"
regions_hcl="[$(printf '"%s",' "${region_list[@]}")]"
regions_hcl=${regions_hcl/,]/]}
vars=(
  -var "regions=$regions_hcl"
  -var "clusters_per_region=${BENCH_CLUSTERS:-5}"
  -var "nodes_per_cluster=${BENCH_NODES:-140}"
  -var "policies_per_node=${BENCH_POLICIES:-42}"
)

work=$cache/work
log=$cache/generate.log
rm -rf "$work"
mkdir -p "$work"
: >"$log"
trap 'echo "generate.sh: failed; the Terraform output is in $log" >&2; tail -n 20 "$log" >&2' ERR
cp -r "$here/terraform/main.tf" "$here/terraform/modules" "$work/"
cd "$work"

start=$SECONDS
step() { echo "generate.sh: [$((SECONDS - start)) s] $*" >&2; }

step "terraform $("$terraform" version | head -1) in $work"
"$terraform" init -input=false -no-color >>"$log" 2>&1

step "phase 1: apply the small estate"
cp "$here/terraform/phases/phase1.tf" .
"$terraform" apply -input=false -no-color -auto-approve -json -var phase=1 "${vars[@]}" >>"$log" 2>&1
rm phase1.tf

step "phase 2: plan the large estate"
cp "$here/terraform/phases/phase2.tf" .
# -json keeps the UI output small (no rendering of the attribute values).
"$terraform" plan -input=false -no-color -json -var phase=2 "${vars[@]}" -out=plan.tfplan >>"$log" 2>&1

step "terraform show -json"
"$terraform" show -no-color -json plan.tfplan >"$plan_json.tmp"
mv "$plan_json.tmp" "$plan_json"
cp plan.tfplan "$cache/plan.tfplan"

step "done in $((SECONDS - start)) s: $plan_json ($(stat -c %s "$plan_json") bytes)"
echo "$plan_json"
