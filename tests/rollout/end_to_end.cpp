// Rollouts end to end, through the command and the real Terraform: failures and resume, gates
// and stale plans, policies, checks with rollback, deadlines, parallel roots, convergence, the
// local lock, `tfstage plan` and secrets. The configurations are made of terraform_data only
// (no provider, no AWS): each case runs in seconds, in its own scratch directory.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "process/process.hpp"
#include "support/cli.hpp"
#include "support/project.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using test::Cli;
using test::events_of;
using test::final_status;
using test::journal_of;
using test::read_json_file;
using test::run_id_of;
using test::stage_record;
using test::tfstage_cli;
using test::tfstage_command;

fs::path state_file(const fs::path& root, const std::string& workspace) {
    return workspace == "default" ? root / "terraform.tfstate" : root / "terraform.tfstate.d" / workspace / "terraform.tfstate";
}

// The addresses in a local state file (empty when there is none).
std::set<std::string> state_addresses(const fs::path& root, const std::string& workspace) {
    std::set<std::string> out;
    const fs::path file = state_file(root, workspace);
    if (!fs::exists(file)) return out;
    const json state = read_json_file(file);
    for (const auto& r : state.value("resources", json::array()))
        if (r.value("mode", "") == "managed") {
            std::string address = r.value("module", "");
            address += (address.empty() ? "" : ".") + r.value("type", "") + "." + r.value("name", "");
            out.insert(address);
        }
    return out;
}

long state_serial(const fs::path& root, const std::string& workspace) {
    const fs::path file = state_file(root, workspace);
    if (!fs::exists(file)) return -1;
    return read_json_file(file).value("serial", -1L);
}

// The `input` of terraform_data.NAME in the state ("" when absent).
std::string state_input(const fs::path& root, const std::string& workspace, const std::string& name) {
    const fs::path file = state_file(root, workspace);
    if (!fs::exists(file)) return "";
    for (const auto& r : read_json_file(file).value("resources", json::array()))
        if (r.value("type", "") == "terraform_data" && r.value("name", "") == name)
            for (const auto& instance : r.value("instances", json::array())) {
                const auto& input = instance["attributes"]["input"];
                if (input.is_object() && input.contains("value")) return input["value"].dump();
                return input.dump();
            }
    return "";
}

bool spans_overlap(const json& a, const json& b) {
    const std::string a0 = a.value("started_at", ""), a1 = a.value("finished_at", "");
    const std::string b0 = b.value("started_at", ""), b1 = b.value("finished_at", "");
    REQUIRE(!a0.empty());
    REQUIRE(!a1.empty());
    REQUIRE(!b0.empty());
    REQUIRE(!b1.empty());
    // The same ISO-8601 UTC format with milliseconds: text order is time order.
    return a0 < b1 && b0 < a1;
}

using test::Project;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Two roots and two stages in the staging workspace: `first` (root base) and then `flaky`
// (root app), whose apply fails once, the first time, and passes after (the marker file).
fs::path write_fails_once_project(const Project& p) {
    const fs::path marker = p.dir.path() / "flaky.marker";
    p.write_root("base", R"(
resource "terraform_data" "first" {
  input = "base"
}
)");
    p.write_root("app", R"(
resource "terraform_data" "steady" {
  input = "app"
}
resource "terraform_data" "flaky" {
  depends_on = [terraform_data.steady]
  provisioner "local-exec" {
    command = "if [ -f )" + quoted(marker) + R"( ]; then exit 0; fi; touch )" + quoted(marker) + R"(; echo failing once; exit 1"
  }
}
)");
    p.write_rollout(R"(
version: 1
roots: {base: base, app: app}
environments:
  staging: {workspace: staging, approval: auto}
stages:
  - name: first
    root: base
    apply: {}
  - name: flaky
    root: app
    apply: {}
)");
    return marker;
}

}  // namespace

// 1 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: a stage failing on its first try stops the run and resume finishes it without re-applying earlier stages") {
    Project p;
    const fs::path marker = write_fails_once_project(p);
    const auto first = tfstage_cli({"run", p.path(), "-e", "staging", "--json"});
    CHECK_MESSAGE(first.exit_code == 1, first.text());
    CHECK(final_status(first) == "failed");
    REQUIRE(fs::exists(marker));
    const std::string run = run_id_of(first);
    REQUIRE(!run.empty());

    const json journal1 = journal_of(p.state_dir(), run);
    CHECK(journal1.value("status", "") == "failed");
    CHECK(stage_record(journal1, "first").value("status", "") == "succeeded");
    CHECK(stage_record(journal1, "flaky").value("status", "") == "failed");
    CHECK(stage_record(journal1, "flaky").contains("error"));
    const long base_serial = state_serial(p.root("base"), "staging");
    CHECK(base_serial > 0);
    CHECK(state_addresses(p.root("base"), "staging") == std::set<std::string>{"terraform_data.first"});

    const auto resumed = tfstage_cli({"resume", run, "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(resumed.exit_code == 0, resumed.text());
    CHECK(final_status(resumed) == "succeeded");
    CHECK(run_id_of(resumed) == run);

    // The first stage was reused from the first run, never started again.
    const auto reused = events_of(resumed, "stage_reused", "first");
    REQUIRE(reused.size() == 1);
    CHECK(reused[0].value("status", "") == "succeeded");
    CHECK(events_of(resumed, "stage_started", "first").empty());
    CHECK(events_of(resumed, "stage_applying", "first").empty());
    CHECK(events_of(resumed, "stage_started", "flaky").size() == 1);

    // Its state was not written again, and its journal record (engine launches, timings) is
    // the first run's.
    CHECK(state_serial(p.root("base"), "staging") == base_serial);
    const json journal2 = journal_of(p.state_dir(), run);
    CHECK(journal2.value("status", "") == "succeeded");
    CHECK(stage_record(journal2, "first") == stage_record(journal1, "first"));
    CHECK(stage_record(journal2, "flaky").value("status", "") == "succeeded");
    CHECK_FALSE(stage_record(journal2, "flaky").contains("error"));
    CHECK(journal2.value("resumed", json::array()).size() == 1);
    CHECK(state_addresses(p.root("app"), "staging") ==
          std::set<std::string>{"terraform_data.flaky", "terraform_data.steady"});
    CHECK(journal2["convergence"].value("status", "") == "converged");

    // A finished run is not resumed again.
    const auto again = tfstage_cli({"resume", run, "--state-dir", p.state(), "--json"});
    CHECK(again.exit_code != 0);
    CHECK(state_serial(p.root("base"), "staging") == base_serial);
}

// 2 ----------------------------------------------------------------------------------------

namespace {

const char* kGateRoot = R"(
variable "x" {
  type    = string
  default = "unset"
}
resource "terraform_data" "a" {
  input = var.x
}
resource "terraform_data" "b" {
  input = "b"
}
)";

const char* kGateRollout = R"(
version: 1
root: infra
environments:
  prod:
    workspace: prod
    approval: manual
    vars: {x: planned}
stages:
  - name: deploy
    apply: {}
)";

}  // namespace

TEST_CASE("rollout: resume runs a finished stage again when its configuration changed since") {
    Project p;
    write_fails_once_project(p);
    const auto first = tfstage_cli({"run", p.path(), "-e", "staging", "--json"});
    REQUIRE_MESSAGE(final_status(first) == "failed", first.text());
    const std::string run = run_id_of(first);
    CHECK(state_addresses(p.root("base"), "staging") == std::set<std::string>{"terraform_data.first"});

    // While fixing the failure, someone also changed the finished stage's configuration: a
    // resume must apply that too, not report the stage done with the old configuration.
    test::write_file(p.root("base") / "extra.tf", "resource \"terraform_data\" \"second\" {\n  input = \"added\"\n}\n");
    const auto resumed = tfstage_cli({"resume", run, "--state-dir", p.state(), "--json"});
    REQUIRE_MESSAGE(final_status(resumed) == "succeeded", resumed.text());
    CHECK(events_of(resumed, "stage_reused", "first").empty());
    CHECK(events_of(resumed, "stage_started", "first").size() == 1);
    CHECK(state_addresses(p.root("base"), "staging") ==
          std::set<std::string>{"terraform_data.first", "terraform_data.second"});
    CHECK(journal_of(p.state_dir(), run)["convergence"].value("status", "") == "converged");
}

TEST_CASE("rollout: a gate without a terminal stops in awaiting_approval and resume --approve applies exactly that plan") {
    Project p;
    p.write_root("infra", kGateRoot);
    p.write_rollout(kGateRollout);
    // Without --json too: stdin is not a terminal, so nobody is asked.
    const auto human = tfstage_cli({"run", p.path(), "-e", "prod"});
    CHECK_MESSAGE(human.exit_code == 3, human.text());
    CHECK(human.out.find("awaiting approval") != std::string::npos);
    CHECK(human.out.find("--approve deploy") != std::string::npos);
    CHECK(state_addresses(p.root("infra"), "prod").empty());

    const auto stopped = tfstage_cli({"run", p.path(), "-e", "prod", "--json"});
    CHECK_MESSAGE(stopped.exit_code == 3, stopped.text());
    CHECK(final_status(stopped) == "awaiting_approval");
    REQUIRE(events_of(stopped, "awaiting_approval", "deploy").size() == 1);
    CHECK(events_of(stopped, "stage_applying").empty());
    CHECK(state_addresses(p.root("infra"), "prod").empty());

    const std::string run = run_id_of(stopped);
    const json journal1 = journal_of(p.state_dir(), run);
    CHECK(journal1.value("status", "") == "awaiting_approval");
    const json record1 = stage_record(journal1, "deploy");
    CHECK(record1.value("status", "") == "awaiting_approval");
    const fs::path plan_file = record1["plan"].value("file", "");
    const std::string plan_sha = record1["plan"].value("sha256", "");
    REQUIRE(fs::exists(plan_file));
    CHECK((fs::status(plan_file).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK((fs::status(p.state_dir() / "runs" / run / "journal.json").permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK(plan_sha.size() == 64);
    CHECK(events_of(stopped, "awaiting_approval", "deploy")[0].value("sha256", "") == plan_sha);

    // `status` reports the same.
    const auto status = tfstage_cli({"status", run, "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(status.exit_code == 3, status.text());
    CHECK(json::parse(status.out, nullptr, false).value("status", "") == "awaiting_approval");

    const auto approved = tfstage_cli({"resume", run, "--approve", "deploy", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(approved.exit_code == 0, approved.text());
    CHECK(final_status(approved) == "succeeded");
    CHECK(events_of(approved, "stage_approved", "deploy").size() == 1);
    CHECK(events_of(approved, "stage_planning", "deploy").empty());  // not planned again
    CHECK(events_of(approved, "plan_stale").empty());

    const json record2 = stage_record(journal_of(p.state_dir(), run), "deploy");
    CHECK(record2.value("status", "") == "succeeded");
    CHECK(record2["plan"].value("sha256", "") == plan_sha);
    CHECK(record2["approval"].value("plan_sha256", "") == plan_sha);
    CHECK(record2["approval"].value("how", "") == "resume");
    CHECK(!record2["approval"].value("by", "").empty());
    CHECK(!record2["approval"].value("at", "").empty());
    CHECK(state_addresses(p.root("infra"), "prod") == std::set<std::string>{"terraform_data.a", "terraform_data.b"});
    CHECK(state_input(p.root("infra"), "prod", "a") == "\"planned\"");
}

TEST_CASE("rollout: approving a plan that went stale is refused, the stage is planned again and waits for a new approval") {
    Project p;
    p.write_root("infra", kGateRoot);
    p.write_rollout(kGateRollout);
    const auto stopped = tfstage_cli({"run", p.path(), "-e", "prod", "--json"});
    REQUIRE_MESSAGE(stopped.exit_code == 3, stopped.text());
    const std::string run = run_id_of(stopped);
    const std::string stale_sha = stage_record(journal_of(p.state_dir(), run), "deploy")["plan"].value("sha256", "");

    // Someone changes the state behind the rollout's back.
    const auto behind = tfstage_cli({"-C", p.root("infra").string(), "-w", "prod", "engine", "apply", "--auto-approve",
                                     "--var", "x=changed-behind"});
    REQUIRE_MESSAGE(behind.exit_code == 0, behind.text());
    const long serial_behind = state_serial(p.root("infra"), "prod");
    REQUIRE(state_input(p.root("infra"), "prod", "a") == "\"changed-behind\"");

    const auto refused = tfstage_cli({"resume", run, "--approve", "deploy", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(refused.exit_code == 3, refused.text());
    CHECK(final_status(refused) == "awaiting_approval");
    REQUIRE(events_of(refused, "plan_stale", "deploy").size() == 1);
    CHECK(events_of(refused, "plan_stale", "deploy")[0].value("plan_sha256", "") == stale_sha);
    CHECK(events_of(refused, "stage_planning", "deploy").size() == 1);  // planned again
    CHECK(events_of(refused, "awaiting_approval", "deploy").size() == 1);

    // The stale plan's changes were not applied: the state is the one made behind its back.
    CHECK(state_serial(p.root("infra"), "prod") == serial_behind);
    CHECK(state_input(p.root("infra"), "prod", "a") == "\"changed-behind\"");

    const json record = stage_record(journal_of(p.state_dir(), run), "deploy");
    CHECK(record.value("status", "") == "awaiting_approval");
    CHECK(record["stale_plan"].value("sha256", "") == stale_sha);
    CHECK_FALSE(record.contains("approval"));
    const std::string new_sha = record["plan"].value("sha256", "");
    CHECK(new_sha.size() == 64);
    CHECK(new_sha != stale_sha);
    CHECK(record["plan"]["summary"].value("update", 0) == 1);

    // The new plan, approved, is applied.
    const auto approved = tfstage_cli({"resume", run, "--approve", "deploy", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(approved.exit_code == 0, approved.text());
    const json final_record = stage_record(journal_of(p.state_dir(), run), "deploy");
    CHECK(final_record["approval"].value("plan_sha256", "") == new_sha);
    CHECK(state_input(p.root("infra"), "prod", "a") == "\"planned\"");
}

// 3 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: a policy violation stops the stage before apply with exit code 4") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  input = "b"
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev:
    approval: auto
    policies: {max_changes: 1}
  locked:
    workspace: locked
    approval: auto
    policies: {deny_resource_types: [terraform_data]}
stages:
  - name: all
    apply: {}
)");
    for (const std::string env : {"dev", "locked"}) {
        CAPTURE(env);
        const auto result = tfstage_cli({"run", p.path(), "-e", env, "--auto-approve", "--json"});
        CHECK_MESSAGE(result.exit_code == 4, result.text());
        CHECK(final_status(result) == "policy_violation");
        const auto violations = events_of(result, "policy_violation", "all");
        REQUIRE(violations.size() == 1);
        CHECK(!violations[0]["violations"].empty());
        CHECK(events_of(result, "stage_applying").empty());
        const json record = stage_record(journal_of(p.state_dir(), run_id_of(result)), "all");
        CHECK(record.value("status", "") == "policy_violation");
        CHECK(!record["policy_violations"].empty());
        CHECK_FALSE(record.contains("approval"));
        CHECK(state_addresses(p.root("infra"), env == "dev" ? "default" : env).empty());
    }
}

// 4 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: a failing check is retried, then the rollback steps run and the run ends rolled_back") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "a" {
  input = "a"
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {approval: auto}
stages:
  - name: deploy
    apply: {}
    checks:
      - name: health
        argv: [sh, -c, "echo unhealthy; exit 1"]
        retries: 1
        interval: 1s
    rollback:
      - argv: [sh, -c, "echo rolled back > rolled-back.marker"]
)");
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(result.exit_code == 1, result.text());
    CHECK(final_status(result) == "rolled_back");
    CHECK(fs::exists(p.dir.path() / "rolled-back.marker"));
    REQUIRE(events_of(result, "check_finished", "deploy").size() == 1);
    CHECK(events_of(result, "check_finished", "deploy")[0].value("passed", true) == false);
    CHECK(events_of(result, "check_finished", "deploy")[0].value("attempts", 0) == 2);
    CHECK(events_of(result, "rollback_started", "deploy").size() == 1);
    REQUIRE(events_of(result, "rollback_finished", "deploy").size() == 1);
    CHECK(events_of(result, "rollback_finished", "deploy")[0].value("status", "") == "rolled_back");

    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK(journal.value("status", "") == "rolled_back");
    const json record = stage_record(journal, "deploy");
    CHECK(record.value("status", "") == "rolled_back");
    REQUIRE(record["checks"].size() == 1);
    CHECK(record["checks"][0].value("name", "") == "health");
    CHECK(record["checks"][0].value("passed", true) == false);
    REQUIRE(record["checks"][0]["attempts"].size() == 2);
    CHECK(record["checks"][0]["attempts"][0].value("exit_code", 0) == 1);
    CHECK(record["checks"][0]["attempts"][1].value("exit_code", 0) == 1);
    REQUIRE(record["rollback"].size() == 1);
    CHECK(record["rollback"][0].value("exit_code", -1) == 0);
    CHECK(record["error"].value("code", "") == "check_failed");
}

// 5 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: a stage deadline cancels the running apply, exits 5 and leaves the workspace unlocked") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 60"
  }
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: slow
    apply: {}
    deadline: 5s
)");
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(result.exit_code == 5, result.text());
    CHECK(final_status(result) == "deadline_exceeded");
    CHECK(result.duration < 40s);
    REQUIRE(events_of(result, "deadline_exceeded", "slow").size() == 1);
    CHECK(events_of(result, "deadline_exceeded", "slow")[0].value("scope", "") == "stage");
    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK(journal.value("status", "") == "deadline_exceeded");
    CHECK(stage_record(journal, "slow").value("status", "") == "deadline_exceeded");

    // Terraform's state lock and tfstage's own lock are both released.
    const auto plan = tfstage_cli({"-C", p.root("infra").string(), "-w", "dev", "engine", "plan", "--lock-timeout", "0s"});
    CHECK_MESSAGE(plan.exit_code == 0, plan.text());
    const fs::path locks = p.root("infra") / ".terraform" / "tfstage-locks";
    CHECK((!fs::exists(locks) || fs::is_empty(locks)));
}

TEST_CASE("rollout: an environment deadline stops the whole rollout") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 60"
  }
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {approval: auto, deadline: 5s}
stages:
  - name: slow
    apply: {}
  - name: after
    run: {argv: [touch, after.marker]}
)");
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(result.exit_code == 5, result.text());
    CHECK(final_status(result) == "deadline_exceeded");
    CHECK(result.duration < 40s);
    REQUIRE(events_of(result, "deadline_exceeded").size() >= 1);
    CHECK(events_of(result, "deadline_exceeded")[0].value("scope", "") == "rollout");
    CHECK_FALSE(fs::exists(p.dir.path() / "after.marker"));
}

// 6 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: stages on two roots run in parallel, stages on one root never overlap") {
    Project p;
    const char* slow_root = R"(
resource "terraform_data" "x" {
  provisioner "local-exec" {
    command = "sleep 4"
  }
}
resource "terraform_data" "y" {
  provisioner "local-exec" {
    command = "sleep 4"
  }
}
)";
    p.write_root("one", slow_root);
    p.write_root("two", R"(
resource "terraform_data" "x" {
  provisioner "local-exec" {
    command = "sleep 4"
  }
}
)");
    p.write_rollout(R"(
version: 1
roots: {one: one, two: two}
environments:
  dev: {approval: auto}
stages:
  - name: one-x
    root: one
    apply: {targets: [terraform_data.x]}
  - name: two-x
    root: two
    needs: []
    apply: {targets: [terraform_data.x]}
  - name: one-y
    root: one
    needs: []
    apply: {targets: [terraform_data.y]}
)");
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--parallelism", "2", "--json"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.text());
    const json journal = journal_of(p.state_dir(), run_id_of(result));
    const json one_x = stage_record(journal, "one-x");
    const json two_x = stage_record(journal, "two-x");
    const json one_y = stage_record(journal, "one-y");
    for (const auto& s : {one_x, two_x, one_y}) CHECK(s.value("status", "") == "succeeded");
    // Different roots: at the same time.
    CHECK((spans_overlap(two_x, one_x) || spans_overlap(two_x, one_y)));
    // The same root and workspace: one after the other, though neither needs the other.
    CHECK_FALSE(spans_overlap(one_x, one_y));
}

TEST_CASE("rollout: with parallelism 1 stages on different roots run one at a time") {
    Project p;
    const char* slow_root = R"(
resource "terraform_data" "x" {
  provisioner "local-exec" {
    command = "sleep 2"
  }
}
)";
    p.write_root("one", slow_root);
    p.write_root("two", slow_root);
    p.write_rollout(R"(
version: 1
roots: {one: one, two: two}
environments:
  dev: {approval: auto}
stages:
  - name: one
    root: one
    apply: {}
  - name: two
    root: two
    needs: []
    apply: {}
)");
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--parallelism", "1", "--json"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.text());
    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK_FALSE(spans_overlap(stage_record(journal, "one"), stage_record(journal, "two")));
}

// 7 ----------------------------------------------------------------------------------------

namespace {

const char* kTwoPartRoot = R"(
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "b" {
  input = "b"
}
)";

const char* kTwoPartRollout = R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: part-a
    apply: {targets: [terraform_data.a]}
  - name: part-b
    apply: {targets: [terraform_data.b]}
)";

}  // namespace

TEST_CASE("rollout: convergence passes after the full sequence") {
    Project p;
    p.write_root("infra", kTwoPartRoot);
    p.write_rollout(kTwoPartRollout);
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(result.exit_code == 0, result.text());
    CHECK(final_status(result) == "succeeded");
    REQUIRE(events_of(result, "convergence").size() == 1);
    CHECK(events_of(result, "convergence")[0].value("status", "") == "converged");
    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK(journal["convergence"].value("status", "") == "converged");
    REQUIRE(journal["convergence"]["roots"].size() == 1);
    CHECK(journal["convergence"]["roots"][0]["addresses"].empty());
    // Each stage: exactly plan, show -json and apply (the engine's version is asked once per run).
    for (const std::string stage : {"part-a", "part-b"}) {
        CAPTURE(stage);
        const json record = stage_record(journal, stage);
        CHECK(record.value("status", "") == "succeeded");
        CHECK(record["plan"]["summary"].value("create", 0) == 1);
        CHECK(record.value("engine_launches", 0) == 3);
        // Progress counts the apply's own resources: 1 of 1.
        const auto progress = events_of(result, "progress", stage);
        REQUIRE(progress.size() == 1);
        CHECK(progress[0].value("done", 0) == 1);
        CHECK(progress[0].value("planned", 0) == 1);
        CHECK(progress[0].value("result", "") == "complete");
    }
    CHECK(state_addresses(p.root("infra"), "dev") == std::set<std::string>{"terraform_data.a", "terraform_data.b"});
}

TEST_CASE("rollout: a stage skipped with --only leaves the run unconverged with the addresses left to change") {
    Project p;
    p.write_root("infra", kTwoPartRoot);
    p.write_rollout(kTwoPartRollout);
    const auto result = tfstage_cli({"run", p.path(), "-e", "dev", "--only", "part-a", "--json"});
    CHECK_MESSAGE(result.exit_code == 6, result.text());
    CHECK(final_status(result) == "unconverged");
    REQUIRE(events_of(result, "convergence").size() == 1);
    const json event = events_of(result, "convergence")[0];
    CHECK(event.value("status", "") == "unconverged");
    REQUIRE(event["roots"].size() == 1);
    CHECK(event["roots"][0]["addresses"] == json::array({"terraform_data.b"}));

    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK(journal.value("status", "") == "unconverged");
    CHECK(stage_record(journal, "part-b").value("status", "") == "skipped");
    CHECK(journal["convergence"]["roots"][0]["addresses"] == json::array({"terraform_data.b"}));
    CHECK(state_addresses(p.root("infra"), "dev") == std::set<std::string>{"terraform_data.a"});

    // The human output names them too; --allow-unconverged makes it a warning.
    const auto human = tfstage_cli({"run", p.path(), "-e", "dev", "--only", "part-a", "--allow-unconverged"});
    CHECK_MESSAGE(human.exit_code == 0, human.text());
    CHECK(human.out.find("still to change: terraform_data.b") != std::string::npos);
}

// 8 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: a second rollout on the same root and workspace is refused while the first runs, and writes nothing") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 8"
  }
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: slow
    apply: {}
)");
    process::Background first(tfstage_command({"run", p.path(), "-e", "dev", "--json"}));

    // Wait until the first run's stage runs (it holds the lock from before its first stage).
    std::string first_run;
    long first_pid = 0;
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (first_run.empty() && std::chrono::steady_clock::now() < give_up && first.running()) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(p.state_dir() / "runs", ec)) {
            const json journal = read_json_file(entry.path() / "journal.json");
            if (journal.is_object() && journal.value("status", "") == "running" &&
                stage_record(journal, "slow").value("status", "") == "running") {
                first_run = journal.value("run", "");
                first_pid = journal.value("pid", 0L);
            }
        }
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE_MESSAGE(!first_run.empty(), first.output());
    CHECK(first_pid == first.pid());

    const auto second = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK(second.exit_code != 0);
    CHECK(second.exit_code != 3);
    CHECK_MESSAGE(second.err.find(first_run) != std::string::npos, second.text());
    CHECK_MESSAGE(second.err.find("pid " + std::to_string(first_pid)) != std::string::npos, second.text());
    // The refused run leaves no journal: history holds the live run only.
    std::vector<std::string> runs;
    for (const auto& entry : fs::directory_iterator(p.state_dir() / "runs")) runs.push_back(entry.path().filename().string());
    CHECK(runs == std::vector<std::string>{first_run});

    // Resuming the live run is refused too, and writes nothing into its journal.
    const auto resumed = tfstage_cli({"resume", first_run, "--state-dir", p.state(), "--json"});
    CHECK(resumed.exit_code != 0);
    CHECK_MESSAGE(resumed.err.find("still running") != std::string::npos, resumed.text());
    const json during = journal_of(p.state_dir(), first_run);
    CHECK_FALSE(during.contains("resumed"));
    CHECK(during.value("status", "") == "running");
    CHECK(during.value("pid", 0L) == first_pid);
    const auto listed = tfstage_cli({"history", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(listed.exit_code == 0, listed.text());
    CHECK(listed.out.find("\"status\":\"failed\"") == std::string::npos);

    // The first run goes on undisturbed.
    const auto finish = std::chrono::steady_clock::now() + 90s;
    while (first.running() && std::chrono::steady_clock::now() < finish) std::this_thread::sleep_for(100ms);
    CHECK_MESSAGE(first.stop() == 0, first.output());
    CHECK(journal_of(p.state_dir(), first_run).value("status", "") == "succeeded");

    // And once it has finished, the workspace is free again.
    const auto third = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(third.exit_code == 0, third.text());
}

// 9 ----------------------------------------------------------------------------------------

TEST_CASE("rollout: tfstage plan plans every stage and applies nothing") {
    Project p;
    p.write_root("infra", kTwoPartRoot);
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: manual}
stages:
  - name: part-a
    apply: {targets: [terraform_data.a]}
  - name: notify
    run: {argv: [touch, notified.marker]}
  - name: part-b
    apply: {targets: [terraform_data.b]}
)");
    const auto result = tfstage_cli({"plan", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(result.exit_code == 0, result.text());
    CHECK(final_status(result) == "succeeded");
    for (const std::string stage : {"part-a", "part-b"}) {
        CAPTURE(stage);
        REQUIRE(events_of(result, "stage_planned", stage).size() == 1);
        CHECK(events_of(result, "stage_planned", stage)[0]["summary"].value("create", 0) == 1);
    }
    CHECK(events_of(result, "stage_applying").empty());
    CHECK(events_of(result, "awaiting_approval").empty());
    CHECK(events_of(result, "command_started").empty());
    CHECK(events_of(result, "convergence").empty());
    CHECK_FALSE(fs::exists(p.dir.path() / "notified.marker"));
    CHECK(state_addresses(p.root("infra"), "dev").empty());
    const json journal = journal_of(p.state_dir(), run_id_of(result));
    CHECK(journal.value("kind", "") == "plan");

    // The human form prints the summaries.
    const auto human = tfstage_cli({"plan", p.path(), "-e", "dev"});
    CHECK_MESSAGE(human.exit_code == 0, human.text());
    CHECK(human.out.find("plan: 1 to add") != std::string::npos);
    CHECK(state_addresses(p.root("infra"), "dev").empty());
}

TEST_CASE("rollout: resuming a plan run still applies nothing") {
    Project p;
    p.write_root("infra", kTwoPartRoot);
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev:
    workspace: dev
    approval: auto
    policies: {deny_resource_types: [terraform_data]}
stages:
  - name: part-a
    apply: {targets: [terraform_data.a]}
)");
    const auto planned = tfstage_cli({"plan", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(planned.exit_code == 4, planned.text());
    // The policy is lifted; the plan run is resumed (say, by mistake: it is the latest run).
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: part-a
    apply: {targets: [terraform_data.a]}
)");
    const auto resumed = tfstage_cli({"resume", "--state-dir", p.state(), "--json"});
    CHECK(events_of(resumed, "stage_applying").empty());
    CHECK(state_addresses(p.root("infra"), "dev").empty());
}

// 10 ---------------------------------------------------------------------------------------

TEST_CASE("rollout: a secret variable never appears in the output, the journal or any file tfstage keeps but the plan") {
    const std::string secret = "s3cr3t-value-123";
    Project p;
    p.write_root("infra", R"(
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "db" {
  input = var.password
}
resource "terraform_data" "other" {
  input = "plain"
}
output "password" {
  value     = terraform_data.db.output
  sensitive = true
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev:
    workspace: dev
    approval: auto
    vars: {password: "s3cr3t-value-123"}
stages:
  - name: db
    apply: {targets: [terraform_data.db]}
    checks:
      - name: echoes the output
        argv: [sh, -c, "echo password is ${output.password}"]
  - name: other
    apply: {targets: [terraform_data.other]}
  - name: shout
    run: {argv: [sh, -c, "echo the output is ${output.password} >&2; exit 1"]}
)");
    const auto json_run = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK_MESSAGE(json_run.exit_code == 1, json_run.text());  // the last stage fails on purpose
    CHECK(events_of(json_run, "check_finished", "db").size() == 1);
    CHECK(events_of(json_run, "stage_error", "shout").size() == 1);
    CHECK(json_run.out.find(secret) == std::string::npos);
    CHECK(json_run.err.find(secret) == std::string::npos);
    // The stored output is redacted (the command did print it).
    const json journal = journal_of(p.state_dir(), run_id_of(json_run));
    CHECK(stage_record(journal, "db")["checks"][0]["attempts"][0].value("output", "").find("<redacted>") !=
          std::string::npos);

    const auto human = tfstage_cli({"run", p.path(), "-e", "dev"});
    CHECK(human.exit_code == 1);
    CHECK(human.out.find(secret) == std::string::npos);
    CHECK(human.err.find(secret) == std::string::npos);
    const auto status = tfstage_cli({"status", "--state-dir", p.state()});
    CHECK(status.out.find(secret) == std::string::npos);
    const auto status_json = tfstage_cli({"status", "--state-dir", p.state(), "--json"});
    CHECK(status_json.out.find(secret) == std::string::npos);
    const auto plan = tfstage_cli({"plan", p.path(), "-e", "dev", "--json"});
    CHECK(plan.out.find(secret) == std::string::npos);

    // Every file under .tfstage but the binary plans (Terraform keeps -var values in them).
    int plans = 0;
    int files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(p.state_dir())) {
        if (!entry.is_regular_file()) continue;
        const auto& path = entry.path();
        if (path.extension() == ".tfplan") {
            ++plans;
            CHECK((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
            continue;
        }
        ++files;
        CHECK_MESSAGE(test::read_text(path).find(secret) == std::string::npos, path.string());
    }
    CHECK(plans > 0);
    CHECK(files > 0);
}

// 11 ---------------------------------------------------------------------------------------

TEST_CASE("rollout: checks read outputs from the apply's own message and launch output -json only for a sensitive one") {
    Project p;
    p.write_root("infra", R"(
resource "terraform_data" "a" {
  input = "value-of-a"
}
resource "terraform_data" "b" {
  input = "value-of-b"
}
output "plain" {
  value = terraform_data.a.output
}
output "secret" {
  value     = terraform_data.b.output
  sensitive = true
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: a
    apply: {targets: [terraform_data.a]}
    checks:
      - name: plain output
        argv: [test, "${output.plain}", "=", "value-of-a"]
  - name: b
    apply: {targets: [terraform_data.b]}
    checks:
      - name: sensitive output
        argv: [test, "${output.secret}", "=", "value-of-b"]
)");
    const auto run = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(run.exit_code == 0, run.text());
    const json journal = journal_of(p.state_dir(), run_id_of(run));
    CHECK(stage_record(journal, "a")["checks"][0]["passed"] == true);
    CHECK(stage_record(journal, "b")["checks"][0]["passed"] == true);
    // Stage a's check used the apply's outputs message; stage b's wanted a sensitive output,
    // which that message holds without its value: one `output -json`.
    const json& setup = journal["setup"][p.root("infra").string()];
    CHECK(setup.value("output_launches", 0) == 1);
    CHECK(run.out.find("value-of-b") == std::string::npos);
}
