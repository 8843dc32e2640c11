// The seed runbooks' examples (examples/seed-*), each run once end to end through the command
// with the real Terraform (and, for 000 and 002, the real aws provider against a private moto):
// every example runs to `succeeded`, each stage's plan creates exactly the resources that stage
// targets, and the final state (`tfstage engine state-list`) holds exactly those of the stages,
// minus what a destroy stage retired. Seed 003's failing health check ends `rolled_back`, with
// the rollback's traffic switch visible in the state.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "process/process.hpp"
#include "support/cli.hpp"
#include "support/fixtures.hpp"
#include "support/moto.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using test::Cli;
using test::final_status;
using test::parse_events;
using test::run_id_of;
using test::stage_record;

// The command, with the AWS emulator's endpoint (when there is one) and dummy credentials.
Cli tfstage_cli(const std::vector<std::string>& args, const test::MotoServer* moto = nullptr,
                const std::map<std::string, std::string>& extra_env = {}) {
    process::Command command = test::tfstage_command(args);
    command.env.insert({{"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"}, {"AWS_DEFAULT_REGION", "us-east-1"}});
    if (moto != nullptr) {
        command.env["TF_VAR_aws_endpoint"] = moto->endpoint();
        command.env["AWS_ENDPOINT_URL"] = moto->endpoint();
    }
    for (const auto& [name, value] : extra_env) command.env[name] = value;
    command.env_drop.push_back("TF_VAR_*");  // the examples' variables come from their files only
    const auto result = process::run(command);
    return {result.exit_code, result.out, result.err, parse_events(result.out), result.duration};
}

json journal_of(const fs::path& project, const std::string& run) { return test::journal_of(project / ".tfstage", run); }

std::vector<std::string> stage_names(const json& journal) {
    std::vector<std::string> out;
    for (const auto& s : journal.value("stages", json::array())) out.push_back(s.value("name", ""));
    return out;
}

// The managed resources in the state of ROOT's workspace, through `tfstage engine state-list`.
std::set<std::string> state_list(const fs::path& root, const std::string& workspace, const test::MotoServer* moto) {
    std::vector<std::string> args{"-C", root.string()};
    if (!workspace.empty()) args.insert(args.end(), {"-w", workspace});
    args.insert(args.end(), {"engine", "state-list"});
    const Cli cli = tfstage_cli(args, moto);
    REQUIRE_MESSAGE(cli.exit_code == 0, cli.text());
    std::set<std::string> out;
    std::istringstream in(cli.out);
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        // Data sources are read, not managed: `module.x.data.y.z` or `data.y.z`.
        if (line.starts_with("data.") || line.find(".data.") != std::string::npos) continue;
        out.insert(line);
    }
    return out;
}

// Whether the target address covers a resource instance address: itself, a resource's
// instances (`aws_subnet.public` covers `aws_subnet.public[0]`), or everything in a module
// (`module.blue_environment` covers `module.blue_environment[0].aws_lb_target_group.app`).
bool covers(const std::string& target, const std::string& address) {
    if (!address.starts_with(target)) return false;
    if (address.size() == target.size()) return true;
    const char next = address[target.size()];
    return next == '.' || next == '[';
}

struct StageExpectation {
    std::string name;
    std::vector<std::string> targets;  // what the stage targets (for the state check)
    int create = 0;
    int update = 0;
    int delete_ = 0;
};

// Each stage succeeded, and its plan created, updated and deleted exactly the expected numbers
// of resources (a targeted plan of an already-applied dependency shows it as no-op, never as
// a change).
void check_stages(const json& journal, const std::vector<StageExpectation>& expected) {
    std::vector<std::string> names;
    for (const auto& e : expected) names.push_back(e.name);
    CHECK(stage_names(journal) == names);
    for (const auto& e : expected) {
        CAPTURE(e.name);
        const json record = stage_record(journal, e.name);
        CHECK(record.value("status", "") == "succeeded");
        const json summary = record.value("plan", json::object()).value("summary", json::object());
        CHECK(summary.value("create", -1) == e.create);
        CHECK(summary.value("update", -1) == e.update);
        CHECK(summary.value("delete", -1) == e.delete_);
        CHECK(summary.value("replace", -1) == 0);
        for (const auto& check : record.value("checks", json::array())) {
            CAPTURE(check.dump());
            CHECK(check.value("passed", false));
        }
    }
}

// The final state holds exactly what the stages created, minus what the destroy stages
// removed: every address is covered by the targets of exactly one creating stage, each
// creating stage's share of the state is its create count, and a destroy stage's targets
// cover nothing any more.
void check_final_state(const std::set<std::string>& state, const std::vector<StageExpectation>& expected) {
    std::set<std::string> destroyed_targets;
    for (const auto& e : expected)
        if (e.delete_ > 0) destroyed_targets.insert(e.targets.begin(), e.targets.end());
    std::size_t total = 0;
    for (const auto& e : expected) {
        if (e.create == 0) continue;
        CAPTURE(e.name);
        int covered = 0;
        for (const auto& address : state)
            for (const auto& target : e.targets)
                if (covers(target, address)) {
                    ++covered;
                    break;
                }
        const bool retired = std::any_of(e.targets.begin(), e.targets.end(),
                                         [&](const std::string& t) { return destroyed_targets.count(t) > 0; });
        CHECK(covered == (retired ? 0 : e.create));
        total += static_cast<std::size_t>(covered);
    }
    for (const auto& target : destroyed_targets)
        for (const auto& address : state) CHECK_MESSAGE(!covers(target, address), address << " survived its destroy");
    std::ostringstream listing;
    for (const auto& address : state) listing << address << '\n';
    CHECK_MESSAGE(state.size() == total, "the state holds resources no stage targeted:\n" << listing.str());
}

}  // namespace

TEST_CASE("examples: seed-000 prod rollout succeeds and each stage creates exactly its targets") {
    test::MotoServer moto;
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-000"), dir.path());

    const Cli cli = tfstage_cli({"run", (dir.path() / "rollout.yaml").string(), "-e", "prod", "--auto-approve", "--json"}, &moto);
    REQUIRE_MESSAGE(final_status(cli) == "succeeded", cli.text());
    CHECK(cli.exit_code == 0);
    const json journal = journal_of(dir.path(), run_id_of(cli));
    CHECK(journal.value("convergence", json::object()).value("status", "") == "converged");

    const std::vector<StageExpectation> expected{
        {"vpc", {"module.vpc"}, 4},                    // aws_vpc.main, aws_subnet.private[0..2]
        {"data-stores", {"module.data_stores"}, 6},    // table, bucket, 4 stand-ins
        {"kafka", {"module.kafka"}, 2},                // configuration, cluster
        {"lambda-processors", {"module.lambda_processors"}, 17},  // 8 processors, 8 mappings, hook
        {"monitoring", {"module.monitoring"}, 10},     // topic, kafka alarm, 8 lambda alarms
        {"security-and-storage",
         {"aws_kms_key.data_stores", "aws_security_group.kafka", "aws_security_group.lambda", "aws_security_group.neo4j",
          "aws_sns_topic.alerts", "aws_db_subnet_group.main", "aws_s3_bucket.artifacts"},
         7},
    };
    check_stages(journal, expected);
    check_final_state(state_list(dir.path(), "prod", &moto), expected);
}

TEST_CASE("examples: seed-002 blue-green canary shifts the listener weights 5 25 50 100 and retires blue") {
    test::MotoServer moto;
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-002"), dir.path());

    const Cli cli = tfstage_cli({"run", (dir.path() / "rollout.yaml").string(), "-e", "prod", "--auto-approve", "--json"}, &moto);
    REQUIRE_MESSAGE(final_status(cli) == "succeeded", cli.text());
    CHECK(cli.exit_code == 0);
    const json journal = journal_of(dir.path(), run_id_of(cli));
    CHECK(journal.value("convergence", json::object()).value("status", "") == "converged");

    const std::vector<StageExpectation> expected{
        {"network", {"aws_vpc.main", "aws_subnet.public"}, 3},
        {"blue", {"module.blue_environment"}, 2},  // target group, security group
        {"load-balancer", {"aws_lb.main", "aws_lb_listener.main"}, 2},
        {"green", {"module.green_environment"}, 2},
        {"canary-5", {"aws_lb_listener.main"}, 0, 1},
        {"canary-25", {"aws_lb_listener.main"}, 0, 1},
        {"canary-50", {"aws_lb_listener.main"}, 0, 1},
        {"canary-100", {"aws_lb_listener.main"}, 0, 1},
        {"retire-blue", {"module.blue_environment"}, 0, 0, 2},
    };
    check_stages(journal, expected);
    // Each canary step's check read the weights back from the AWS API.
    for (const char* step : {"canary-5", "canary-25", "canary-50", "canary-100"}) {
        CAPTURE(step);
        const json checks = stage_record(journal, step).value("checks", json::array());
        REQUIRE(checks.size() == 1);
        CHECK(checks[0].value("passed", false));
    }
    const auto state = state_list(dir.path(), "prod", &moto);
    check_final_state(state, expected);
    CHECK(state.count("aws_lb_listener.main") == 1);
    CHECK(state.count("module.green_environment.aws_lb_target_group.app") == 1);
}

TEST_CASE("examples: seed-003 production directory rollout succeeds with provision then traffic switch then scale-down") {
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-003"), dir.path());
    const fs::path production = dir.path() / "infrastructure" / "environments" / "production";

    const Cli cli = tfstage_cli({"run", (dir.path() / "rollout.yaml").string(), "-e", "production", "--auto-approve", "--json"});
    REQUIRE_MESSAGE(final_status(cli) == "succeeded", cli.text());
    CHECK(cli.exit_code == 0);
    const json journal = journal_of(dir.path(), run_id_of(cli));
    CHECK(journal.value("convergence", json::object()).value("status", "") == "converged");

    const std::vector<StageExpectation> expected{
        // Untargeted: everything (networking 4, database 2, green 2, blue 2, traffic 1).
        {"provision", {"module.networking", "module.database", "module.green", "module.blue", "module.traffic"}, 11},
        {"switch-to-blue", {"module.traffic"}, 0, 1},
        {"scale-down-green", {"module.green"}, 0, 1},
    };
    check_stages(journal, expected);
    check_final_state(state_list(production, "", nullptr), expected);
    const Cli live = tfstage_cli({"-C", production.string(), "engine", "output", "live_color", "--raw"});
    REQUIRE_MESSAGE(live.exit_code == 0, live.text());
    CHECK(live.out == "blue\n");
    // The environment is a directory: no workspace was created, the state is the directory's own.
    CHECK(fs::exists(production / "terraform.tfstate"));
    CHECK_FALSE(fs::exists(production / "terraform.tfstate.d"));
}

TEST_CASE("examples: seed-003 failing health check after the traffic switch rolls traffic back to green") {
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-003"), dir.path());
    const fs::path production = dir.path() / "infrastructure" / "environments" / "production";

    // Blue serves 5 % errors under production traffic: the post-switch check fails.
    const Cli cli = tfstage_cli({"run", (dir.path() / "rollout.yaml").string(), "-e", "production", "--auto-approve", "--json"},
                                nullptr, {{"TF_VAR_blue_error_rate", "5"}});
    REQUIRE_MESSAGE(final_status(cli) == "rolled_back", cli.text());
    const json journal = journal_of(dir.path(), run_id_of(cli));
    CHECK(stage_record(journal, "provision").value("status", "") == "succeeded");
    const json record = stage_record(journal, "switch-to-blue");
    CHECK(record.value("status", "") == "rolled_back");
    const json checks = record.value("checks", json::array());
    REQUIRE(checks.size() == 1);
    CHECK_FALSE(checks[0].value("passed", true));
    CHECK(checks[0].value("attempts", json::array()).size() == 3);  // retries: 2
    CHECK(checks[0].dump().find("serves 5 % errors") != std::string::npos);
    const json steps = record.value("rollback", json::array());
    REQUIRE(steps.size() == 2);
    for (const auto& step : steps) {
        CAPTURE(step.dump());
        CHECK(step.value("exit_code", -1) == 0);
    }
    CHECK(steps[1].value("output", "").find("rolled back: green is live") != std::string::npos);
    // The stage after it never ran; no convergence after a failed rollout.
    CHECK(stage_record(journal, "scale-down-green").value("status", "") != "succeeded");
    CHECK_FALSE(journal.contains("convergence"));

    // The rollback's effect: traffic is on green again, nothing was created or lost.
    const Cli live = tfstage_cli({"-C", production.string(), "engine", "output", "live_color", "--raw"});
    REQUIRE_MESSAGE(live.exit_code == 0, live.text());
    CHECK(live.out == "green\n");
    CHECK(state_list(production, "", nullptr).size() == 11);
}
