#!/usr/bin/env bash
# Side-by-side benchmark of plan summaries on a large real plan:
#   tfstage show FILE --json   vs   Go + hashicorp/terraform-json   vs   Python json.
#
#   run.sh [--runs N] [--without-tfstage] [--write-results] [--plan FILE]
#
#   --runs N            timed runs per summariser (default: $RUNS or 5); the median is reported
#   --without-tfstage   skip the tfstage column (e.g. before the command exists)
#   --write-results     also write the plan-summary section of bench/RESULTS.md
#   --plan FILE         use this show -json file instead of the generated one
#
# Environment: TFSTAGE_BIN (default <repo>/build/ci/cmd/tfstage/tfstage),
# PLAN_SUMMARY_CACHE (default <repo>/.cache/bench/plan-summary), and the
# BENCH_* variables of generate.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${PLAN_SUMMARY_CACHE:-$repo/.cache/bench/plan-summary}
tfstage=${TFSTAGE_BIN:-$repo/build/ci/cmd/tfstage/tfstage}
runs=${RUNS:-5}
with_tfstage=1
write_results=0
plan_json=

while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --runs=*) runs=${1#*=} ;;
    --without-tfstage) with_tfstage=0 ;;
    --write-results) write_results=1 ;;
    --plan) plan_json=$2; shift ;;
    --plan=*) plan_json=${1#*=} ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs needs a positive integer" >&2; exit 2; }

die() { echo "run.sh: $*" >&2; exit 1; }
step() { echo "run.sh: $*" >&2; }

[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
command -v go >/dev/null || die "go is missing (apt-get install -y golang-go golang-github-hashicorp-terraform-json-dev)"
[[ -d /usr/share/gocode/src/github.com/hashicorp/terraform-json ]] ||
  die "terraform-json is missing (apt-get install -y golang-github-hashicorp-terraform-json-dev)"
if ((with_tfstage)); then
  [[ -x $tfstage ]] || die "$tfstage not found: build it, set TFSTAGE_BIN, or pass --without-tfstage"
fi

mkdir -p "$cache"

# 1. Build the Go summariser offline, against Debian's Go sources (see go/go.mod).
step "building go/ (terraform-json from /usr/share/gocode, GOPROXY=off)"
gobin=$cache/tfjson-summary
(
  cd "$here/go"
  GOPROXY=off GOFLAGS=-mod=mod GOTOOLCHAIN=local GOSUMDB=off GOCACHE=$cache/gocache \
    go build -trimpath -o "$gobin" .
)

# 2. The plan.
if [[ -z $plan_json ]]; then
  plan_json=$("$here/generate.sh")
fi
[[ -s $plan_json ]] || die "no plan file: $plan_json"
size=$(stat -c %s "$plan_json")
step "plan: $plan_json ($size bytes)"
cat "$plan_json" >/dev/null # page cache warm-up: every summariser reads a cached file

# 3. Timed runs. Each run writes out/<name>.<i>.json (stdout) and .time ("%e %M").
out=$(mktemp -d "$cache/run.XXXXXX")
trap 'rm -rf "$out"' EXIT
names=(terraform-json python)
declare -A cmd
cmd[terraform-json]="$gobin"
cmd[python]="python3 $here/summary.py"
if ((with_tfstage)); then
  names=(tfstage "${names[@]}")
  cmd[tfstage]="$tfstage show"
fi

for ((i = 1; i <= runs; i++)); do
  for name in "${names[@]}"; do
    args=("$plan_json")
    [[ $name == tfstage ]] && args+=(--json)
    # shellcheck disable=SC2086
    if ! /usr/bin/time -f "%e %M" -o "$out/$name.$i.time" ${cmd[$name]} "${args[@]}" \
      >"$out/$name.$i.json" 2>"$out/$name.$i.err"; then
      cat "$out/$name.$i.err" >&2
      die "$name failed on $plan_json"
    fi
    step "run $i/$runs $name: $(cat "$out/$name.$i.time") (s KiB)"
  done
done

# 4. Check the summaries and report.
python3 - "$out" "$runs" "$plan_json" "$size" "$write_results" "$repo/bench/RESULTS.md" "${names[@]}" <<'PY'
import datetime, json, os, platform, re, statistics, subprocess, sys

out, runs, plan, size, write, results_md, *names = sys.argv[1:]
runs, size, write = int(runs), int(size), write == "1"
REQUIRED = ("create", "update", "delete", "replace", "read", "import", "no_op")

def fail(msg):
    sys.exit(f"run.sh: SUMMARY MISMATCH: {msg}")

summaries, times, rss = {}, {}, {}
for name in names:
    seen = None
    times[name], rss[name] = [], []
    for i in range(1, runs + 1):
        with open(f"{out}/{name}.{i}.json") as f:
            text = f.read()
        try:
            doc = json.loads(text)
        except ValueError as e:
            fail(f"{name} run {i} printed invalid JSON ({e}): {text[:200]!r}")
        if name == "tfstage":
            if not isinstance(doc, dict) or not isinstance(doc.get("summary"), dict):
                fail(f"tfstage printed no `summary` object: {text[:200]!r}")
            doc = doc["summary"]
            missing = [k for k in REQUIRED if k not in doc]
            if missing:
                fail(f"tfstage summary lacks {missing}: {doc}")
            doc = {k: v for k, v in doc.items() if isinstance(v, int) and not isinstance(v, bool)}
        if seen is not None and doc != seen:
            fail(f"{name} gave different summaries across runs: {seen} vs {doc}")
        seen = doc
        with open(f"{out}/{name}.{i}.time") as f:
            e, m = f.read().split()[-2:]
        times[name].append(float(e))
        rss[name].append(int(m) * 1024)
    summaries[name] = seen

ref = summaries["terraform-json"]
if summaries["python"] != ref:
    fail(f"terraform-json {ref} != python {summaries['python']}")
if "tfstage" in summaries:
    common = sorted(set(ref) & set(summaries["tfstage"]))
    a = {k: ref[k] for k in common}
    b = {k: summaries["tfstage"][k] for k in common}
    if a != b:
        fail(f"terraform-json {a} != tfstage {b} (keys compared: {common})")
print(f"run.sh: summaries identical: {json.dumps(ref, sort_keys=True)}", file=sys.stderr)

med_t = {n: statistics.median(times[n]) for n in names}
med_m = {n: statistics.median(rss[n]) for n in names}
resources = sum(v for k, v in ref.items() if k != "import")

label = {
    "tfstage": "`tfstage show FILE --json`",
    "terraform-json": "Go, `json.Unmarshal` into `tfjson.Plan` (terraform-json 0.5.0)",
    "python": f"Python {platform.python_version()}, `json.load`",
}
mib = lambda b: b / 2**20
lines = [
    "| Summariser | median wall time (s) | peak RSS (MiB) | peak RSS / file size |"
    + (" time / tfstage time |" if "tfstage" in names else ""),
    "|---|---:|---:|---:|" + ("---:|" if "tfstage" in names else ""),
]
for n in names:
    row = f"| {label[n]} | {med_t[n]:.2f} | {mib(med_m[n]):.0f} | {med_m[n] / size:.2f} |"
    if "tfstage" in names:
        row += f" {med_t[n] / med_t['tfstage']:.1f}x |" if med_t["tfstage"] > 0 else " n/a |"
    lines.append(row)
table = "\n".join(lines)

def ratio(a, b):
    return a / b if b > 0 else float("inf")

checks = []
if "tfstage" in names:
    r_go = ratio(med_t["terraform-json"], med_t["tfstage"])
    r_py = ratio(med_t["python"], med_t["tfstage"])
    r_mem = med_m["tfstage"] / size
    checks = [
        f"- terraform-json time / tfstage time: **{r_go:.1f}x** (target >= 10x: {'met' if r_go >= 10 else 'NOT MET'})",
        f"- Python time / tfstage time: **{r_py:.1f}x** (target >= 3x: {'met' if r_py >= 3 else 'NOT MET'})",
        f"- tfstage peak RSS / file size: **{r_mem:.2f}** (target <= 1.00: {'met' if r_mem <= 1 else 'NOT MET'})",
    ]
else:
    checks = ["- tfstage not measured (`--without-tfstage`): the targets are not evaluated."]

summary_line = json.dumps(ref, sort_keys=True)
print(table)
print()
print("\n".join(checks))
print()
print(f"File: {size} bytes ({mib(size):.0f} MiB), {resources} resource changes; summary {summary_line}; median of {runs} runs.")

if write:
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = len(os.sched_getaffinity(0))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tfv = ""
    try:
        with open(plan) as f:
            head = f.read(4096)
        m = re.search(r'"terraform_version":"([^"]+)"', head)
        tfv = m.group(1) if m else ""
    except OSError:
        pass
    section = f"""<!-- plan-summary:begin (written by bench/plan-summary/run.sh --write-results) -->
## plan-summary

Summary counts of one large real plan (`terraform show -json` of Terraform {tfv or '?'}),
made by `bench/plan-summary/generate.sh`. Run with `bench/plan-summary/run.sh --write-results`.

- Date: {datetime.date.today().isoformat()}
- Machine: {nproc} CPUs ({model}), Linux {platform.release()}; load average after the runs: {load}
- File: {size} bytes ({mib(size):.0f} MiB), {resources} resource changes
- Summary ({"all three" if len(names) == 3 else "both"} identical): `{summary_line}`
- Median of {runs} runs each; wall time and peak RSS from `/usr/bin/time -f "%e %M"`; file in the page cache.

{table}

Targets: >= 10x faster than terraform-json, >= 3x faster than Python, peak RSS no larger than the file.

{chr(10).join(checks)}
<!-- plan-summary:end -->
"""
    if os.path.exists(results_md):
        with open(results_md) as f:
            text = f.read()
    else:
        text = "# Benchmark results\n\nWritten by the bench/*/run.sh scripts; tests never assert timings.\n"
    pat = re.compile(r"<!-- plan-summary:begin.*?<!-- plan-summary:end -->\n?", re.S)
    if pat.search(text):
        text = pat.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(results_md, "w") as f:
        f.write(text)
    print(f"run.sh: wrote {results_md}", file=sys.stderr)
PY
