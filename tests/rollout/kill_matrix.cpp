// The kill matrix: tfstage is killed with SIGKILL at a point chosen from its own event stream
// (the Nth event of a type, for a stage, after a delay), then resumed — approving gates as a
// person would, by the awaiting plan's hash — until the rollout ends. Whatever the point, every
// resource is created exactly once (its local-exec appends a line to a counter only when it
// completes), every check ran and passed after its stage's last apply, the journal keeps the
// killed attempt, and no lock or process is left behind.
//
// The rollout: root infra (workspace dev) with net then db (db behind a manual gate), root edge
// with cdn (its check fails once, so its rollback steps run), then a command stage. All
// terraform_data: each case takes seconds, and each kill point is its own ctest entry.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "support/cli.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
using namespace tfstage::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct KillPoint {
    const char* type;
    const char* stage;  // "" for any
    int nth;            // the Nth matching event over all invocations
    int delay_ms;       // after it
};

const char* kCheck = R"SH(#!/bin/sh
# check.sh NAME [fail-once]: the resource was created exactly once; logs when it ran.
dir=$(dirname "$0")
lines=$(wc -l < "$dir/counters/$1" 2>/dev/null || echo 0)
sleep 1
echo "$1 checked $(date +%s%N)" >> "$dir/checks.log"
if [ "$2" = fail-once ] && [ ! -f "$dir/failed-once" ]; then touch "$dir/failed-once"; echo "unhealthy once"; exit 1; fi
[ "$lines" -eq 1 ]
)SH";

std::string resource(const std::string& name, int seconds, const std::string& extra = "") {
    return "resource \"terraform_data\" \"" + name + "\" {\n" + extra + "  provisioner \"local-exec\" {\n    command = \"sleep " +
           std::to_string(seconds) + "; echo created $(date +%s%N) >> ../counters/" + name + "\"\n  }\n}\n";
}

struct Matrix {
    TempDir dir;
    fs::path base() const { return dir.path(); }
    fs::path file() const { return base() / "rollout.yaml"; }
    fs::path state_dir() const { return base() / ".tfstage"; }

    Matrix() {
        fs::create_directories(base() / "counters");
        write_file(base() / "infra" / "main.tf",
                   resource("net", 2) + resource("db", 2, "  depends_on = [terraform_data.net]\n"));
        write_file(base() / "edge" / "main.tf", resource("cdn", 1));
        write_file(base() / "check.sh", kCheck);
        fs::permissions(base() / "check.sh", fs::perms::owner_all);
        write_file(file(), R"(
version: 1
roots: {infra: infra, edge: edge}
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: network
    root: infra
    apply: {targets: [terraform_data.net]}
    checks: [{name: net, argv: [./check.sh, net]}]
  - name: db
    root: infra
    apply: {targets: [terraform_data.db]}
    approval: manual
    checks: [{name: db, argv: [./check.sh, db]}]
  - name: edge
    root: edge
    apply: {}
    checks: [{name: cdn, argv: [./check.sh, cdn, fail-once]}]
    rollback:
      - argv: [sh, -c, "sleep 1; echo rolled back >> rollback.log"]
  - name: shift
    run: {argv: [sh, -c, "sleep 1; echo shifted >> shift.log"]}
)");
    }
};

// Processes that still work in the scratch directory (a Terraform, a provider, a check).
std::vector<std::string> processes_in(const fs::path& dir) {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos || std::stol(pid) == ::getpid()) continue;
        std::string cmdline = read_text(entry.path() / "cmdline");
        for (auto& c : cmdline)
            if (c == '\0') c = ' ';
        std::error_code cwd_error;
        const std::string cwd = fs::read_symlink(entry.path() / "cwd", cwd_error).string();
        if (cmdline.find(dir.string()) != std::string::npos || cwd.rfind(dir.string(), 0) == 0)
            found.push_back(pid + " " + cmdline);
    }
    return found;
}

std::string lines_of(const fs::path& file) { return fs::exists(file) ? read_text(file) : ""; }

// Runs `tfstage ARGS --json`, killing it with SIGKILL at the kill point (once over all calls).
struct Harness {
    const Matrix& m;
    KillPoint point;
    int seen = 0;
    bool killed = false;

    Cli invoke(const std::vector<std::string>& args) {
        process::Command command = tfstage_command(args);
        std::vector<std::thread> killers;
        command.on_line = [&](process::Stream stream, std::string_view line) {
            if (stream != process::Stream::out || killed || line.empty() || line.front() != '{') return;
            const json event = json::parse(line, nullptr, false);
            if (!event.is_object() || event.value("type", "") != point.type) return;
            if (*point.stage != '\0' && event.value("stage", "") != point.stage) return;
            if (++seen != point.nth) return;
            killed = true;
            const long pid = journal_of(m.state_dir(), event.value("run", "")).value("pid", 0L);
            if (pid <= 0) return;  // the check of h.killed below fails
            killers.emplace_back([pid, delay = point.delay_ms] {
                std::this_thread::sleep_for(std::chrono::milliseconds(delay));
                ::kill(static_cast<pid_t>(pid), SIGKILL);
            });
        };
        const auto result = process::run(command);
        for (auto& t : killers) t.join();
        return Cli{result.exit_code, result.out, result.err, parse_events(result.out), result.duration};
    }
};

void run_kill_point(const KillPoint& point) {
    Matrix m;
    Harness h{m, point};
    std::string run;
    Cli last = h.invoke({"run", m.file().string(), "-e", "dev", "--json"});
    run = run_id_of(last);
    std::string transcript = last.text();
    for (int round = 0; round < 8; ++round) {
        if (run.empty())  // killed before its first event reached us: the one run there is
            for (const auto& entry : fs::directory_iterator(m.state_dir() / "runs")) run = entry.path().filename().string();
        // Done: the call succeeded, or the kill came after the journal said so (the run ended).
        if (last.exit_code == 0 || journal_of(m.state_dir(), run).value("status", "") == "succeeded") break;
        // After a kill, the children must end on their own (told by the orphan guard).
        const auto deadline = std::chrono::steady_clock::now() + 75s;
        while (!processes_in(m.base()).empty() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(200ms);
        std::string left;
        for (const auto& process : processes_in(m.base())) left += process + "\n";
        const std::string message = "still running 75 s after the kill:\n" + left;
        REQUIRE_MESSAGE(left.empty(), message);
        std::vector<std::string> args{"resume", run, "--state-dir", m.state_dir().string(), "--json"};
        const json journal = journal_of(m.state_dir(), run);
        for (const auto& stage : journal.value("stages", json::array()))
            if (stage.value("status", "") == "awaiting_approval") {
                args.push_back("--approve");
                args.push_back(stage.value("name", "") + "=" + stage["plan"].value("sha256", "").substr(0, 12));
            }
        last = h.invoke(args);
        transcript += "\n--- resume\n" + last.text();
    }
    INFO(transcript);
    CHECK(h.killed);
    REQUIRE(journal_of(m.state_dir(), run).value("status", "") == "succeeded");

    // Each resource created exactly once.
    for (const char* name : {"net", "db", "cdn"}) {
        std::istringstream lines(lines_of(m.base() / "counters" / name));
        int count = 0;
        for (std::string line; std::getline(lines, line);) count += line.rfind("created", 0) == 0;
        CHECK_MESSAGE(count == 1, name);
    }
    // Every stage finished with its checks passed, after its last apply.
    const json journal = journal_of(m.state_dir(), run);
    for (const char* name : {"network", "db", "edge"}) {
        CAPTURE(name);
        const json record = stage_record(journal, name);
        // Killed after its checks passed but before it was marked succeeded, a stage is found
        // finished on resume: nothing to apply, no check pending (no_changes).
        const std::string status = record.value("status", "");
        CHECK((status == "succeeded" || status == "no_changes"));
        CHECK_FALSE(record.contains("checks_pending"));
        // The last checks that ran (this attempt's, or an earlier one's) passed.
        json checks = record.value("checks", json::array());
        const json attempts = record.value("attempts", json::array());
        for (auto it = attempts.rbegin(); checks.empty() && it != attempts.rend(); ++it)
            checks = it->value("checks", json::array());
        REQUIRE(checks.size() == 1);
        CHECK(checks[0].value("passed", false));
    }
    const std::string checks = lines_of(m.base() / "checks.log");
    for (const auto& [counter, check] : {std::pair{"net", "net checked"}, {"db", "db checked"}, {"cdn", "cdn checked"}}) {
        const std::string created = lines_of(m.base() / "counters" / counter);
        const auto at = checks.rfind(check);
        REQUIRE_MESSAGE(at != std::string::npos, check);
        const long long created_ns = std::stoll(created.substr(created.rfind(' ') + 1));
        const long long checked_ns = std::stoll(checks.substr(at + std::string(check).size() + 1));
        CHECK_MESSAGE(checked_ns > created_ns, check);
    }
    CHECK(lines_of(m.base() / "shift.log").find("shifted") != std::string::npos);
    // Nothing left behind: Terraform's lock info, tfstage's locks, processes.
    for (const char* root : {"infra", "edge"}) {
        CHECK_FALSE(fs::exists(m.base() / root / ".terraform.tfstate.lock.info"));
        std::error_code ec;
        CHECK(fs::is_empty(m.base() / root / ".terraform" / "tfstage-locks", ec));
    }
    // (tfstage's watchdog outlives it by the moment it takes to see it gone.)
    const auto settle = std::chrono::steady_clock::now() + 10s;
    while (!processes_in(m.base()).empty() && std::chrono::steady_clock::now() < settle) std::this_thread::sleep_for(50ms);
    CHECK(processes_in(m.base()).empty());
    // `status` shows what happened, attempt by attempt.
    const auto status = tfstage_cli({"status", run, "--state-dir", m.state_dir().string()});
    CHECK(status.exit_code == 0);
}

}  // namespace

#define KILL_POINT(TYPE, STAGE, NTH, DELAY)                                                      \
    TEST_CASE("kill matrix: SIGKILL at " TYPE " #" #NTH " " STAGE " +" #DELAY "ms, then resume") { \
        run_kill_point({TYPE, STAGE, NTH, DELAY});                                               \
    }

KILL_POINT("run_started", "", 1, 0)               // before anything: the journal just says running
KILL_POINT("stage_started", "network", 1, 300)    // init and workspace selection
KILL_POINT("stage_planning", "network", 1, 300)   // inside the first plan
KILL_POINT("stage_planned", "network", 1, 0)      // the plan journaled, not yet applied
KILL_POINT("stage_applying", "network", 1, 1000)  // inside net's slow create
KILL_POINT("progress", "network", 1, 0)           // applied, before the checks
KILL_POINT("check_started", "network", 1, 300)    // inside a check
KILL_POINT("check_finished", "network", 1, 0)     // the check journaled
KILL_POINT("stage_finished", "network", 1, 0)     // a journal write between stages
KILL_POINT("stage_planning", "db", 1, 300)        // the gated stage's plan
KILL_POINT("awaiting_approval", "db", 1, 0)       // at the gate
KILL_POINT("stage_approved", "db", 1, 0)          // the approved plan about to be applied
KILL_POINT("stage_applying", "db", 1, 1000)       // inside db's slow create (approved)
KILL_POINT("progress", "db", 1, 0)                // between db's apply and its check
KILL_POINT("check_started", "db", 1, 300)         // inside db's check
KILL_POINT("stage_started", "edge", 1, 300)       // init of the second root
KILL_POINT("stage_applying", "edge", 1, 500)      // inside cdn's create
KILL_POINT("check_started", "edge", 1, 300)       // inside the check that fails once
KILL_POINT("rollback_started", "edge", 1, 300)    // inside the rollback steps
KILL_POINT("check_started", "edge", 2, 300)       // the check run again on resume
KILL_POINT("command_started", "shift", 1, 300)    // inside a command stage
KILL_POINT("stage_finished", "shift", 1, 300)     // inside convergence
KILL_POINT("convergence", "", 1, 0)               // the convergence journaled, before the run ends
