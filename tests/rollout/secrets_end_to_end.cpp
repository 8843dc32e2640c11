// Secrets end to end (issue 11, items 6 and 7), through the command and the real Terraform:
// variable values never on a command line, a keyed input hash in the journal that resume still
// honours, and a missing output explained.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "support/cli.hpp"
#include "support/project.hpp"
#include "support/digest.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using test::Cli;
using test::events_of;
using test::run_id_of;
using test::stage_record;
using test::tfstage_cli;

using test::Project;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Samples every process's argv (/proc/PID/cmdline, what `ps -eo args` shows) and, for the
// Terraform children, their environment too, until stopped.
class ProcessSampler {
public:
    explicit ProcessSampler(std::string canary) : canary_(std::move(canary)), thread_([this] { loop(); }) {}
    ~ProcessSampler() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int samples = 0;
    int terraform_plans_seen = 0;     // samples with a `terraform plan` running
    int var_file_args_seen = 0;       // ... passing our private var file
    std::vector<std::string> leaks;   // the argv (or environ) that held the canary

private:
    void loop() {
        while (!stop_) {
            ++samples;
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator("/proc", ec)) {
                const std::string pid = entry.path().filename().string();
                if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
                const std::string cmdline = read_file(entry.path() / "cmdline");
                if (cmdline.find(canary_) != std::string::npos) leaks.push_back("argv of " + pid + ": " + cmdline);
                const bool terraform = cmdline.find("terraform") != std::string::npos;
                if (terraform && cmdline.find(std::string("\0plan\0", 6)) != std::string::npos) {
                    ++terraform_plans_seen;
                    if (cmdline.find("/vars.tfvars.json") != std::string::npos) ++var_file_args_seen;
                }
                if (terraform && read_file(entry.path() / "environ").find(canary_) != std::string::npos)
                    leaks.push_back("environment of " + pid);
            }
            std::this_thread::sleep_for(20ms);
        }
    }
    std::string canary_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

TEST_CASE("secrets: a variable value never appears on any command line while tfstage runs Terraform") {
    const std::string canary = "canary-Zq7-not-on-argv-51";
    Project p;
    p.write_root("infra", R"(
variable "password" {
  type      = string
  sensitive = true
}
variable "sizes" {
  type    = list(number)
  default = []
}
resource "terraform_data" "db" {
  input = var.password
}
resource "terraform_data" "sizes" {
  input = var.sizes
}
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 1"
  }
}
)");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev:
    workspace: dev
    approval: auto
    vars: {password: ")" + canary + R"(", sizes: "[1, 2]"}
stages:
  - name: db
    apply: {targets: [terraform_data.db, terraform_data.sizes]}
  - name: slow
    apply: {targets: [terraform_data.slow]}
  - name: all
    apply: {}
)");
    const fs::path tmp = p.dir.path() / "tmp";
    fs::create_directories(tmp);
    ProcessSampler sampler(canary);
    const auto run = tfstage_cli({"run", p.path(), "-e", "dev", "--json"}, {{"TMPDIR", tmp.string()}});
    sampler.stop();
    REQUIRE_MESSAGE(run.exit_code == 0, run.text());

    // The sampler could have seen a leak: it saw Terraform plans, given our var file.
    INFO("samples: " << sampler.samples << ", plans seen: " << sampler.terraform_plans_seen);
    CHECK(sampler.samples > 20);
    CHECK(sampler.terraform_plans_seen > 0);
    CHECK(sampler.var_file_args_seen > 0);
    for (const auto& leak : sampler.leaks) FAIL_CHECK("the canary was visible: " << leak);

    // The values did reach Terraform, with their types.
    const json state = json::parse(read_file(p.root("infra") / "terraform.tfstate.d" / "dev" / "terraform.tfstate"));
    std::map<std::string, json> inputs;
    for (const auto& r : state["resources"]) {
        const json& input = r["instances"][0]["attributes"]["input"];
        if (input.is_object()) inputs[r["name"]] = input["value"];  // dynamic: {type, value}
    }
    CHECK(inputs["db"] == canary);
    CHECK(inputs["sizes"] == json::array({1, 2}));

    // The private var files are gone; nothing left in $TMPDIR holds the value.
    for (const auto& entry : fs::recursive_directory_iterator(tmp)) {
        CHECK_MESSAGE(entry.path().filename().string().rfind("tfstage-vars-", 0) != 0, entry.path().string());
        if (entry.is_regular_file()) CHECK_MESSAGE(read_file(entry.path()).find(canary) == std::string::npos, entry.path().string());
    }
    // Under the state directory only the saved plans hold it (Terraform keeps variables there).
    int plans = 0;
    for (const auto& entry : fs::recursive_directory_iterator(p.state_dir())) {
        if (!entry.is_regular_file()) continue;
        if (entry.path().extension() == ".tfplan") {
            ++plans;
            continue;
        }
        CHECK_MESSAGE(read_file(entry.path()).find(canary) == std::string::npos, entry.path().string());
    }
    CHECK(plans > 0);

    // The journal holds a keyed hash of the variables, never their plain sha256.
    const std::string journal = read_file(p.journal(run_id_of(run)));
    const std::string plain = sha256_hex("password=" + canary + "\nsizes=[1, 2]\n");
    CHECK(journal.find(plain) == std::string::npos);
    CHECK(journal.find("vars_sha256") == std::string::npos);
    CHECK(journal.find("vars_hmac") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat((p.state_dir() / "secret.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777U) == 0600U);
}

TEST_CASE("secrets: resume reuses a finished stage while its variables are unchanged (also from an old journal) and runs it again when they changed") {
    Project p;
    const fs::path gate = p.dir.path() / "gate.ok";
    p.write_root("infra", R"(
variable "password" {
  type      = string
  sensitive = true
}
resource "terraform_data" "db" {
  input = var.password
}
)");
    auto rollout = [&](const std::string& password) {
        p.write_rollout(R"(
version: 1
root: infra
environments:
  dev:
    workspace: dev
    approval: auto
    vars: {password: ")" + password + R"("}
stages:
  - name: db
    apply: {}
  - name: gate
    run: {argv: [test, -f, ')" + gate.string() + R"(']}
)");
    };
    rollout("first-value-1");
    const auto first = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(first.exit_code != 0, first.text());  // the gate fails: no file yet
    const std::string run = run_id_of(first);
    REQUIRE(events_of(first, "stage_applying", "db").size() == 1);

    // Unchanged values: the stage is reused.
    const auto same = tfstage_cli({"resume", "--state-dir", p.state(), "--json"});
    CHECK(events_of(same, "stage_reused", "db").size() == 1);
    CHECK(events_of(same, "stage_applying", "db").empty());

    // A journal written before the keyed hash (vars_sha256 of name=value): still unchanged,
    // and the plain hash is gone from the journal after that resume.
    json doc = json::parse(read_file(p.journal(run)));
    for (auto& s : doc["stages"])
        if (s["name"] == "db") {
            s["inputs"].erase("vars_hmac");
            s["inputs"]["vars_sha256"] = sha256_hex("password=first-value-1\n");
        }
    test::write_file(p.journal(run), doc.dump(2));
    const auto legacy = tfstage_cli({"resume", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(events_of(legacy, "stage_reused", "db").size() == 1, legacy.text());
    const json upgraded = stage_record(json::parse(read_file(p.journal(run))), "db");
    CHECK_FALSE(upgraded["inputs"].contains("vars_sha256"));
    CHECK(upgraded["inputs"].contains("vars_hmac"));

    // Changed values: the stage runs again, with the new value.
    rollout("second-value-2");
    test::write_file(gate, "");
    const auto changed = tfstage_cli({"resume", "--state-dir", p.state(), "--json"});
    CHECK_MESSAGE(changed.exit_code == 0, changed.text());
    CHECK(events_of(changed, "stage_reused", "db").empty());
    CHECK(events_of(changed, "stage_applying", "db").size() == 1);
    CHECK(read_file(p.root("infra") / "terraform.tfstate.d" / "dev" / "terraform.tfstate").find("second-value-2") !=
          std::string::npos);
}

TEST_CASE("secrets: an undeclared variable is refused before Terraform runs, naming it but not its value") {
    Project p;
    p.write_root("infra", "resource \"terraform_data\" \"a\" {}\n");
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto, vars: {pasword: "typo-value-77"}}
stages:
  - name: a
    apply: {}
)");
    const auto run = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK(run.exit_code != 0);
    const auto errors = events_of(run, "stage_error", "a");
    REQUIRE_MESSAGE(errors.size() == 1, run.text());
    const std::string message = errors[0].value("message", "");
    CHECK(message.find("'pasword'") != std::string::npos);
    CHECK(message.find("declares no variable") != std::string::npos);
    CHECK(run.out.find("typo-value-77") == std::string::npos);
    CHECK(run.err.find("typo-value-77") == std::string::npos);
}

TEST_CASE("secrets: ${output.NAME} left out of the state by a targeted apply says so, and how to fix it") {
    Project p;
    Project fresh;  // for the second case: a stage with no changes runs no checks
    const std::string main_tf = R"(
resource "terraform_data" "a" {
  input = "a"
}
resource "terraform_data" "db" {
  input = "db"
}
output "of_a" {
  value = terraform_data.a.output
}
output "db_password" {
  value = terraform_data.db.output
}
)";
    p.write_root("infra", main_tf);
    fresh.write_root("infra", main_tf);
    p.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: a
    apply: {targets: [terraform_data.a]}
    checks:
      - name: uses the output of a
        argv: [test, "${output.of_a}", "=", "a"]
      - name: uses another output
        argv: [echo, "${output.db_password}"]
)");
    const auto run = tfstage_cli({"run", p.path(), "-e", "dev", "--json"});
    CHECK(run.exit_code != 0);
    const auto errors = events_of(run, "stage_error", "a");
    REQUIRE_MESSAGE(errors.size() == 1, run.text());
    const std::string message = errors[0].value("message", "");
    INFO(message);
    CHECK(message.find("unknown placeholder") == std::string::npos);
    CHECK(message.find("the output 'db_password' is not in the state of root") != std::string::npos);
    CHECK(message.find("(workspace dev)") != std::string::npos);
    CHECK(message.find("declares it (main.tf:11)") != std::string::npos);
    CHECK(message.find("targeted apply") != std::string::npos);
    CHECK(message.find("the resources the output depends on to the stage's targets") != std::string::npos);

    // A name the configuration does not declare lists the outputs there are.
    fresh.write_rollout(R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: a
    apply: {targets: [terraform_data.a]}
    checks:
      - name: a typo
        argv: [echo, "${output.of_aa}"]
)");
    const auto typo = tfstage_cli({"run", fresh.path(), "-e", "dev", "--json"});
    const auto typo_errors = events_of(typo, "stage_error", "a");
    REQUIRE_MESSAGE(typo_errors.size() == 1, typo.text());
    const std::string typo_message = typo_errors[0].value("message", "");
    CHECK(typo_message.find("does not declare it") != std::string::npos);
    CHECK(typo_message.find("the outputs in the state are: of_a") != std::string::npos);
}
