// The engine against the real Terraform (and the real aws provider on a moto server).
// Configurations made only of terraform_data need no AWS and run in a second or two.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "support/moto.hpp"
#include "support/workdir.hpp"
#include "terraform/engine.hpp"

using namespace tfstage;
using namespace tfstage::terraform;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

EngineOptions options_for(const fs::path& dir) {
    EngineOptions options;
    options.working_dir = dir;
    options.cli_config_file = test::cli_config();
    return options;
}

std::set<std::string> addresses_in_plan(Engine& engine, const fs::path& plan_file) {
    const auto plan = nlohmann::json::parse(engine.show_json(plan_file));
    std::set<std::string> out;
    for (const auto& change : plan["resource_changes"]) out.insert(change["address"].get<std::string>());
    return out;
}

// A root of terraform_data resources: "a" always, "slow" sleeping, "failing" failing.
const char* kDataRoot = R"(
variable "secret" {
  type      = string
  sensitive = true
  default   = "unset"
}
variable "label" {
  type    = string
  default = "default-label"
}
variable "sleep_seconds" {
  type    = number
  default = 0
}
variable "fail" {
  type    = bool
  default = false
}
resource "terraform_data" "a" {
  input = var.label
}
resource "terraform_data" "b" {
  input = var.secret
}
resource "terraform_data" "slow" {
  count = var.sleep_seconds > 0 ? 1 : 0
  provisioner "local-exec" {
    command = "sleep ${var.sleep_seconds}"
  }
}
resource "terraform_data" "failing" {
  count = var.fail ? 1 : 0
  provisioner "local-exec" {
    command = "echo about to fail; exit 3"
  }
}
output "label" {
  value = terraform_data.a.output
}
output "secret" {
  value     = terraform_data.b.output
  sensitive = true
}
)";

}  // namespace

TEST_CASE("workspace lifecycle: new, list, select, show, delete, and select-or-create is idempotent") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    Engine engine(options_for(dir.path()));
    engine.init();

    CHECK(engine.workspace_show() == "default");
    engine.workspace_new("staging");
    CHECK(engine.workspace_show() == "staging");
    engine.workspace_select_or_create("prod");
    engine.workspace_select_or_create("prod");
    CHECK(engine.workspace_show() == "prod");
    const auto names = engine.workspace_list();
    CHECK(std::set<std::string>(names.begin(), names.end()) == std::set<std::string>{"default", "staging", "prod"});

    engine.workspace_select_or_create("staging");
    CHECK(engine.workspace_show() == "staging");
    engine.workspace_select("default");
    engine.workspace_delete("staging");
    const auto after = engine.workspace_list();
    CHECK(std::find(after.begin(), after.end(), "staging") == after.end());

    // A workspace that does not exist is a clear engine error.
    try {
        engine.workspace_select("nope");
        FAIL("expected an error");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::engine_failed);
        CHECK(std::string(e.what()).find("workspace select nope") != std::string::npos);
    }
}

TEST_CASE("vars and -var-file reach the plan, and a secret var appears in no event, output line or error") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    test::write_file(dir.path() / "env.tfvars", "label = \"from-var-file\"\nfail = true\n");
    const std::string secret = "hunter2-s3cr3t-value";

    std::vector<std::string> seen;
    auto options = options_for(dir.path());
    options.on_event = [&](const UiEvent& e) { seen.push_back(e.raw.dump()); };
    options.on_output = [&](process::Stream, std::string_view line) { seen.emplace_back(line); };
    Engine engine(options);
    engine.init();

    PlanOptions plan;
    plan.var_files = {dir.path() / "env.tfvars"};
    plan.vars = {{"secret", secret}};
    plan.out = dir.path() / "p.tfplan";
    const auto result = engine.plan(plan);
    CHECK(result.changes_present);
    REQUIRE(result.summary);
    CHECK(result.summary->add == 3);  // a, b, failing

    const auto shown = nlohmann::json::parse(engine.show_json(plan.out));
    CHECK(shown["variables"]["label"]["value"] == "from-var-file");
    for (const auto& change : shown["resource_changes"])
        if (change["address"] == "terraform_data.a") CHECK(change["change"]["after"]["input"] == "from-var-file");

    std::string error_text;
    try {
        engine.apply({.plan_file = plan.out});
        FAIL("the failing provisioner should fail the apply");
    } catch (const EngineError& e) {
        error_text = e.what();
        for (const auto& d : e.diagnostics()) error_text += d.summary + d.detail;
        for (const auto& a : e.argv()) error_text += a;
    }
    // Apply a fresh plan with the secret, failing: the argv in the error names the var files
    // (the user's, then the private one holding the values, gone by now), never a value.
    try {
        engine.apply({.vars = {{"secret", secret}}, .var_files = {dir.path() / "env.tfvars"}});
        FAIL("the failing provisioner should fail the apply");
    } catch (const EngineError& e) {
        error_text += e.what();
        for (const auto& a : e.argv()) error_text += a;
        const auto& argv = e.argv();
        const auto user = std::find(argv.begin(), argv.end(), "-var-file=" + (dir.path() / "env.tfvars").string());
        REQUIRE(user != argv.end());
        REQUIRE(user + 1 != argv.end());
        const std::string ours = *(user + 1);
        CHECK(ours.rfind("-var-file=", 0) == 0);
        CHECK(ours.find("/tfstage-vars-") != std::string::npos);
        CHECK_FALSE(fs::exists(fs::path(ours.substr(10)).parent_path()));
        for (const auto& a : argv) CHECK(a.rfind("-var=", 0) != 0);
    }
    CHECK(error_text.find("local-exec provisioner error") != std::string::npos);
    CHECK(error_text.find(secret) == std::string::npos);
    REQUIRE_FALSE(seen.empty());
    for (const auto& line : seen) CHECK(line.find(secret) == std::string::npos);
}

TEST_CASE("vars: after the user's var files (the later wins), literal or HCL-parsed by the variable's type, exactly as -var was") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", R"(
variable "label" { type = string }
variable "untyped" {}
variable "count_of" { type = number }
variable "names" { type = list(string) }
variable "settings" {
  type = object({ name = string, size = number })
}
variable "anything" { type = any }
output "all" {
  value = {
    label = var.label, untyped = var.untyped, count_of = var.count_of, names = var.names,
    settings = var.settings, anything = var.anything
  }
}
)");
    test::write_file(dir.path() / "more.tf.json", R"j({"variable": {"tags": {"type": "map(string)"}}, "output": {"tags": {"value": "${var.tags}"}}})j");
    test::write_file(dir.path() / "env.tfvars", "label = \"from-var-file\"\nnames = [\"from-var-file\"]\ncount_of = 1\n");
    Engine engine(options_for(dir.path()));
    engine.init();
    PlanOptions plan;
    plan.var_files = {dir.path() / "env.tfvars"};
    plan.vars = {{"label", "from-vars ${not.a.reference} %{ if x }"},
                 {"untyped", "[\"stays a string\"]"},
                 {"count_of", "3"},
                 {"names", "[\"a\",\n  \"b\"]"},
                 {"settings", "{ name = \"n\", size = 2 }"},
                 {"anything", "{ k = [1, true] }"},
                 {"tags", "{ team = \"x\" }"}};
    plan.out = dir.path() / "p.tfplan";
    engine.plan(plan);
    const auto shown = nlohmann::json::parse(engine.show_json(plan.out));
    // The values after conversion to the variables' types (show -json's "variables" holds them
    // as given: "3" for the number, as it did with -var).
    const auto& v = shown["planned_values"]["outputs"]["all"]["value"];
    CHECK(v["label"] == "from-vars ${not.a.reference} %{ if x }");
    CHECK(v["untyped"] == "[\"stays a string\"]");
    CHECK(v["count_of"] == 3);
    CHECK(v["names"] == nlohmann::json::array({"a", "b"}));
    CHECK(v["settings"] == nlohmann::json{{"name", "n"}, {"size", 2}});
    CHECK(v["anything"] == nlohmann::json{{"k", {1, true}}});
    CHECK(shown["planned_values"]["outputs"]["tags"]["value"] == nlohmann::json{{"team", "x"}});

    // An HCL value is one expression, as on the command line: it cannot set another variable.
    const int before = engine.launches();
    CHECK_THROWS_WITH_AS(engine.plan({.vars = {{"names", "[]\n)\nlabel = (\"injected\""}}}),
                         doctest::Contains("not one HCL expression"), Error);
    CHECK(engine.launches() == before);
    // A malformed one is Terraform's to refuse, as it was.
    try {
        engine.plan({.vars = {{"label", "x"}, {"untyped", "u"}, {"count_of", "1"}, {"settings", "{ name = \"n\", size = 2 }"},
                              {"anything", "1"}, {"tags", "{}"}, {"names", "[\"a\" \"b\"]"}}});
        FAIL("expected Terraform to refuse the value");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::engine_failed);
    }

    // Names are checked before Terraform starts.
    const int launches = engine.launches();
    CHECK_THROWS_WITH_AS(engine.plan({.vars = {{"bad name", "v"}}}), doctest::Contains("is not a variable name"), Error);
    CHECK_THROWS_WITH_AS(engine.plan({.vars = {{"undeclared", "v"}}}), doctest::Contains("declares no variable"), Error);
    CHECK(engine.launches() == launches);
}

TEST_CASE("a failing local-exec surfaces as an error carrying the diagnostic's summary") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    Engine engine(options_for(dir.path()));
    engine.init();
    try {
        engine.apply({.vars = {{"fail", "true"}}});
        FAIL("expected the apply to fail");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::engine_failed);
        CHECK(e.exit_code() == 1);
        REQUIRE_FALSE(e.diagnostics().empty());
        CHECK(e.diagnostics().front().summary == "local-exec provisioner error");
        CHECK(e.diagnostics().front().filename == "main.tf");
        CHECK(std::string(e.what()).find("apply failed (exit code 1): local-exec provisioner error") != std::string::npos);
    }
    // What did succeed is in the state.
    const auto state = engine.state_list();
    CHECK(std::find(state.begin(), state.end(), "terraform_data.a") != state.end());
}

TEST_CASE("applying a stale plan fails with an error that says the plan is stale") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    Engine engine(options_for(dir.path()));
    engine.init();
    const fs::path plan_file = dir.path() / "old.tfplan";
    engine.plan({.vars = {{"label", "first"}}, .out = plan_file});
    engine.apply({.vars = {{"label", "second"}}});  // the state moves on
    try {
        engine.apply({.plan_file = plan_file});
        FAIL("expected a stale plan error");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::plan_stale);
        CHECK(std::string(e.what()).find("stale") != std::string::npos);
        CHECK(std::string(e.what()).find("plan again") != std::string::npos);
    }
    CHECK(engine.output_raw("label") == "second");
}

TEST_CASE("cancelling a long apply returns within the grace period and releases the state lock") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    auto options = options_for(dir.path());
    options.cancel = std::make_shared<process::CancelToken>();
    options.grace = 15s;
    std::atomic<bool> provisioning{false};
    options.on_event = [&](const UiEvent& e) {
        if (e.type == UiEventType::provision_start && e.resource_addr == "terraform_data.slow[0]") {
            provisioning = true;
            options.cancel->cancel();
        }
    };
    Engine engine(options);
    engine.init();
    const auto started = std::chrono::steady_clock::now();
    try {
        engine.apply({.vars = {{"sleep_seconds", "60"}}});
        FAIL("expected the apply to be cancelled");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::cancelled);
    }
    CHECK(provisioning);
    CHECK(std::chrono::steady_clock::now() - started < 30s);

    // The lock was released: a plan on the same workspace runs (and would fail if locked).
    Engine next(options_for(dir.path()));
    const auto plan = next.plan({.vars = {{"sleep_seconds", "60"}}, .lock_timeout = "0s"});
    CHECK(plan.changes_present);
}

TEST_CASE("a held state lock is recognised and its holder named") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    auto holder_options = options_for(dir.path());
    holder_options.cancel = std::make_shared<process::CancelToken>();
    std::atomic<bool> holding{false};
    holder_options.on_event = [&](const UiEvent& e) {
        if (e.type == UiEventType::provision_start) holding = true;
    };
    Engine holder(holder_options);
    holder.init();
    std::thread apply([&] {
        try {
            holder.apply({.vars = {{"sleep_seconds", "30"}}});
        } catch (const Error&) {
        }
    });
    for (int i = 0; i < 600 && !holding; ++i) std::this_thread::sleep_for(50ms);
    REQUIRE(holding);
    auto other_options = options_for(dir.path());
    other_options.lock_timeout = "1s";
    Engine other(other_options);
    try {
        other.plan({});
        FAIL("expected a lock error");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::state_locked);
        CHECK_FALSE(e.lock_info().empty());
        REQUIRE(e.lock_info().count("ID") == 1);
        CHECK(e.lock_info().at("Operation") == "OperationTypeApply");
        const std::string message = e.what();
        CHECK(message.find("could not lock the state") != std::string::npos);
        CHECK(message.find("(waited 1s)") != std::string::npos);
        // Who holds it, and how to release it.
        CHECK(message.find("held by " + e.lock_info().at("Who")) != std::string::npos);
        CHECK(message.find("terraform force-unlock " + e.lock_info().at("ID") + "` in " + dir.path().string()) !=
              std::string::npos);
        CHECK(std::find(e.argv().begin(), e.argv().end(), "-lock-timeout=1s") != e.argv().end());
        CHECK_FALSE(e.killed());
    }
    holder_options.cancel->cancel();
    apply.join();
}

TEST_CASE("targeted plan of module.vpc on the seed-000 example against moto: plan, show, apply, converge") {
    test::MotoServer moto;
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-000"), dir.path());
    auto options = options_for(dir.path());
    Engine engine(options);
    engine.init();
    engine.workspace_select_or_create("prod");

    const std::vector<Variable> endpoint{{"aws_endpoint", moto.endpoint()}};
    const std::vector<fs::path> var_files{dir.path() / "environments/prod.tfvars"};
    const fs::path plan_file = dir.path() / "vpc.tfplan";
    const auto plan = engine.plan({.vars = endpoint, .var_files = var_files, .targets = {"module.vpc"}, .out = plan_file});
    CHECK(plan.changes_present);

    const auto planned = addresses_in_plan(engine, plan_file);
    REQUIRE_FALSE(planned.empty());
    for (const auto& address : planned) {
        CAPTURE(address);
        CHECK(address.rfind("module.vpc.", 0) == 0);
    }

    engine.apply({.plan_file = plan_file});
    const auto state = engine.state_list();
    CHECK(std::set<std::string>(state.begin(), state.end()) == planned);

    const auto again = engine.plan({.vars = endpoint, .var_files = var_files, .targets = {"module.vpc"}});
    CHECK_FALSE(again.changes_present);
    CHECK(engine.output_raw("vpc_id").rfind("vpc-", 0) == 0);
}

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Running (not zombie) terraform processes whose working directory is `dir`.
std::vector<int> terraform_processes_in(const fs::path& dir) {
    std::vector<int> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code ec;
        const fs::path exe = fs::read_symlink(entry.path() / "exe", ec);
        if (ec || exe.filename() != "terraform") continue;
        const fs::path cwd = fs::read_symlink(entry.path() / "cwd", ec);
        if (ec || cwd != dir) continue;
        const std::string stat = read_text(entry.path() / "stat");
        const auto close = stat.rfind(')');
        if (close != std::string::npos && stat.size() > close + 2 && stat[close + 2] == 'Z') continue;
        out.push_back(std::stoi(name));
    }
    return out;
}

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

const char* kCounterRoot = R"(
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 3; echo done >> ${path.module}/counter"
  }
}
)";

}  // namespace

TEST_CASE("tfstage killed (SIGKILL) mid-apply: Terraform is interrupted and saves its state and leaves no lock and the next apply is right") {
    test::TempDir scratch;
    const fs::path dir = fs::canonical(scratch.path());
    test::write_file(dir / "main.tf", kCounterRoot);
    Engine engine(options_for(dir));
    engine.init();

    process::Command command;
    command.argv = {TFSTAGE_BINARY_DIR "/cmd/tfstage/tfstage", "-C", dir.string(), "engine", "apply", "--auto-approve"};
    command.env = {{"TFSTAGE_CLI_CONFIG", test::cli_config().string()}, {"NO_COLOR", "1"}};
    command.env_drop = {"TFSTAGE_TERRAFORM", "TF_WORKSPACE", "TF_CLI_ARGS*"};
    process::Background tfstage(command);
    const auto limit = std::chrono::steady_clock::now() + 60s;
    while (tfstage.output().find("Provisioning with 'local-exec'") == std::string::npos &&
           std::chrono::steady_clock::now() < limit)
        std::this_thread::sleep_for(20ms);
    REQUIRE_MESSAGE(tfstage.output().find("Provisioning with 'local-exec'") != std::string::npos, tfstage.output());
    const auto terraform = terraform_processes_in(dir);
    REQUIRE(terraform.size() == 1);
    CHECK(fs::exists(dir / ".terraform.tfstate.lock.info"));

    ::kill(tfstage.pid(), SIGKILL);
    const auto killed_at = std::chrono::steady_clock::now();
    // The orphaned Terraform got SIGINT: it stops gracefully, well within its grace period.
    while (!terraform_processes_in(dir).empty() && std::chrono::steady_clock::now() - killed_at < 30s)
        std::this_thread::sleep_for(50ms);
    const auto stopped_after = std::chrono::steady_clock::now() - killed_at;
    MESSAGE("terraform stopped " << std::chrono::duration_cast<std::chrono::milliseconds>(stopped_after).count()
                                 << " ms after tfstage was killed");
    CHECK(terraform_processes_in(dir).empty());
    CHECK(stopped_after < 20s);
    CHECK_FALSE(fs::exists(dir / ".terraform.tfstate.lock.info"));
    CHECK(tfstage.stop(0ms) == 128 + SIGKILL);

    // The state knows what the interrupted apply did (created and tainted, or nothing), so the
    // next apply completes the job exactly once.
    engine.apply({});
    CHECK(engine.state_list() == std::vector<std::string>{"terraform_data.slow"});
    CHECK(count_lines(read_text(dir / "counter")) == 1);
    CHECK(engine.plan({}).changes_present == false);
}

TEST_CASE("an engine that outlives its grace period is killed and the error says so and how to unlock") {
    test::TempDir dir;
    test::write_file(dir.path() / "main.tf", kDataRoot);
    auto options = options_for(dir.path());
    options.cancel = std::make_shared<process::CancelToken>();
    options.grace = 0ms;  // SIGKILL right after SIGINT
    options.on_event = [&](const UiEvent& e) {
        if (e.type == UiEventType::provision_start) options.cancel->cancel();
    };
    Engine engine(options);
    engine.init();
    try {
        engine.apply({.vars = {{"sleep_seconds", "30"}}});
        FAIL("expected the apply to be cancelled");
    } catch (const EngineError& e) {
        CHECK(e.code() == ErrorCode::cancelled);
        REQUIRE(e.killed());
        const std::string message = e.what();
        CHECK(message.find("did not stop within 0 ms of SIGINT and was killed (SIGKILL)") != std::string::npos);
        CHECK(message.find("state lock may be left behind") != std::string::npos);
        // The local backend's lock was left behind: the message names its ID.
        const auto info = nlohmann::json::parse(read_text(dir.path() / ".terraform.tfstate.lock.info"));
        CHECK(message.find("terraform force-unlock " + info["ID"].get<std::string>() + "`") != std::string::npos);
    }
}
