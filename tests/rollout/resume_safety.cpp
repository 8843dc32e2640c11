// What resume promises, through the command and the real Terraform (terraform_data only):
// a failed check is never turned into success; an approval is for the plan a person saw and
// nothing else; a run whose process died shows as interrupted, and every attempt of a stage
// stays in its record.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "support/cli.hpp"
#include "support/project.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
using namespace tfstage::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Scratch = Project;

std::size_t run_count(const fs::path& state_dir) {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = fs::directory_iterator(state_dir / "runs", ec); !ec && it != fs::directory_iterator(); ++it) ++n;
    return n;
}

std::string journal_text(const fs::path& state_dir, const std::string& run) {
    return read_text(state_dir / "runs" / run / "journal.json");
}

// Two gated stages on one root: db, then cache.
void write_gated(const Scratch& s) {
    write_file(s.dir.path() / "infra" / "main.tf", R"(
resource "terraform_data" "db" {
  input = "db"
}
resource "terraform_data" "cache" {
  input = "cache"
}
)");
    write_file(s.file(), R"(
version: 1
root: infra
environments:
  prod: {workspace: prod, approval: manual}
stages:
  - name: db
    apply: {targets: [terraform_data.db]}
  - name: cache
    apply: {targets: [terraform_data.cache]}
)");
}

}  // namespace

TEST_CASE("resume: a failed check is run again even when the plan has no changes, and only passing ends the run well") {
    Scratch s;
    const fs::path healthy = s.dir.path() / "healthy";
    write_file(s.dir.path() / "infra" / "main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"a\"\n}\n");
    write_file(s.file(), R"(
version: 1
root: infra
environments:
  dev: {approval: auto}
stages:
  - name: deploy
    apply: {}
    checks:
      - name: healthy
        argv: [sh, -c, "test -f ')" + healthy.string() + R"('"]
)");
    const auto failed = tfstage_cli({"run", s.path(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(failed.exit_code == 1, failed.text());
    const std::string run = run_id_of(failed);
    CHECK(stage_record(journal_of(s.state_dir(), run), "deploy").value("checks_pending", false));

    // Nothing changed: the plan is empty, but the check has not passed: it runs and fails again.
    const auto again = tfstage_cli({"resume", run, "--state-dir", s.state(), "--json"});
    CHECK_MESSAGE(again.exit_code == 1, again.text());
    CHECK(final_status(again) == "failed");
    CHECK(events_of(again, "checks_pending", "deploy").size() == 1);
    REQUIRE(events_of(again, "check_finished", "deploy").size() == 1);
    CHECK(events_of(again, "check_finished", "deploy")[0].value("passed", true) == false);
    CHECK(events_of(again, "stage_applying").empty());

    write_file(healthy, "");
    const auto passed = tfstage_cli({"resume", run, "--state-dir", s.state(), "--json"});
    CHECK_MESSAGE(passed.exit_code == 0, passed.text());
    CHECK(final_status(passed) == "succeeded");
    REQUIRE(events_of(passed, "check_finished", "deploy").size() == 1);
    CHECK(events_of(passed, "check_finished", "deploy")[0].value("passed", false) == true);

    // Every attempt is in the record: applied then failed, failed again, then passed.
    const json record = stage_record(journal_of(s.state_dir(), run), "deploy");
    CHECK(record.value("status", "") == "succeeded");
    CHECK_FALSE(record.contains("checks_pending"));
    CHECK(record.value("attempt", 0) == 3);
    REQUIRE(record["attempts"].size() == 2);
    CHECK(record["attempts"][0].value("status", "") == "failed");
    CHECK(record["attempts"][0]["applied"].value("add", 0) == 1);
    CHECK(record["attempts"][0]["checks"][0].value("passed", true) == false);
    CHECK(record["attempts"][1].value("status", "") == "failed");
    CHECK_FALSE(record["attempts"][1].contains("applied"));
    const auto status = tfstage_cli({"status", run, "--state-dir", s.state()});
    CHECK_MESSAGE(status.out.find("attempt 1: failed") != std::string::npos, status.text());
    CHECK(status.out.find("applied +1") != std::string::npos);
}

TEST_CASE("resume: --approve is for the plan awaiting approval, named by its hash, and for nothing planned later") {
    Scratch s;
    write_gated(s);

    // A new run has no plan anyone saw: --approve is refused, and nothing is written.
    const auto ahead = tfstage_cli({"run", s.path(), "-e", "prod", "--approve", "db", "--json"});
    CHECK(ahead.exit_code == 2);
    CHECK_MESSAGE(ahead.err.find("a plan you have seen") != std::string::npos, ahead.text());
    CHECK(run_count(s.state_dir()) == 0);

    const auto stopped = tfstage_cli({"run", s.path(), "-e", "prod"});
    REQUIRE_MESSAGE(stopped.exit_code == 3, stopped.text());
    const auto stopped_json = tfstage_cli({"status", "--state-dir", s.state(), "--json"});
    const json journal = json::parse(stopped_json.out);
    const std::string run = journal.value("run", "");
    const std::string sha = stage_record(journal, "db")["plan"].value("sha256", "");
    REQUIRE(sha.size() == 64);
    // The hint names the plan's hash; so does `status`.
    CHECK_MESSAGE(stopped.out.find("--approve db=" + sha.substr(0, 12)) != std::string::npos, stopped.text());
    const auto status = tfstage_cli({"status", run, "--state-dir", s.state()});
    CHECK_MESSAGE(status.out.find(sha) != std::string::npos, status.text());

    const std::string before = journal_text(s.state_dir(), run);
    // cache never got as far as a plan: approving it is refused, and the journal is untouched.
    const auto unseen = tfstage_cli({"resume", run, "--approve", "cache", "--state-dir", s.state(), "--json"});
    CHECK(unseen.exit_code == 2);
    CHECK_MESSAGE(unseen.err.find("no plan awaiting approval for stage 'cache'") != std::string::npos, unseen.text());
    // A hash that is not the awaiting plan's is refused.
    const auto wrong = tfstage_cli({"resume", run, "--approve", "db=0123456789ab", "--state-dir", s.state(), "--json"});
    CHECK(wrong.exit_code == 2);
    CHECK_MESSAGE(wrong.err.find(sha) != std::string::npos, wrong.text());
    CHECK(journal_text(s.state_dir(), run) == before);

    // The right hash applies db's plan; cache's plan, made now, waits at its own gate.
    const auto approved =
        tfstage_cli({"resume", run, "--approve", "db=" + sha.substr(0, 12), "--state-dir", s.state(), "--json"});
    CHECK_MESSAGE(approved.exit_code == 3, approved.text());
    CHECK(events_of(approved, "stage_approved", "db").size() == 1);
    CHECK(events_of(approved, "stage_applying", "db").size() == 1);
    CHECK(events_of(approved, "stage_applying", "cache").empty());
    CHECK(events_of(approved, "awaiting_approval", "cache").size() == 1);
    const json after = journal_of(s.state_dir(), run);
    CHECK(stage_record(after, "db")["approval"].value("plan_sha256", "") == sha);
    CHECK(stage_record(after, "cache").value("status", "") == "awaiting_approval");
    CHECK_FALSE(stage_record(after, "cache").contains("approval"));
}

TEST_CASE("resume: an approved plan whose stage changed is not applied, and the new plan waits for its own approval") {
    Scratch s;
    write_gated(s);
    const auto stopped = tfstage_cli({"run", s.path(), "-e", "prod", "--json"});
    REQUIRE_MESSAGE(stopped.exit_code == 3, stopped.text());
    const std::string run = run_id_of(stopped);
    const std::string sha = stage_record(journal_of(s.state_dir(), run), "db")["plan"].value("sha256", "");

    // The stage's inputs change after the plan was shown (another target).
    write_file(s.file(), read_text(s.file()) + "\n");
    std::string text = read_text(s.file());
    text.replace(text.find("targets: [terraform_data.db]"), 28, "targets: [terraform_data.db, terraform_data.cache]");
    write_file(s.file(), text);

    const auto resumed = tfstage_cli({"resume", run, "--approve", "db", "--state-dir", s.state(), "--json"});
    CHECK_MESSAGE(resumed.exit_code == 3, resumed.text());
    REQUIRE(events_of(resumed, "approval_void", "db").size() == 1);
    CHECK(events_of(resumed, "approval_void", "db")[0].value("plan_sha256", "") == sha);
    CHECK(events_of(resumed, "stage_applying").empty());
    CHECK(events_of(resumed, "awaiting_approval", "db").size() == 1);
    const json record = stage_record(journal_of(s.state_dir(), run), "db");
    CHECK(record["plan"].value("sha256", "") != sha);
    CHECK(record["plan"]["summary"].value("create", 0) == 2);
    const fs::path state = s.dir.path() / "infra" / "terraform.tfstate.d" / "prod" / "terraform.tfstate";
    const bool applied = fs::exists(state) && read_text(state).find("terraform_data") != std::string::npos;
    CHECK_FALSE(applied);
}

TEST_CASE("resume: \"no\" at the gate records a rejection and the next run warns about it") {
    Scratch s;
    write_gated(s);
    // A person at a terminal (script(1) gives the command a pseudo-terminal) answers "no".
    process::Command command = tfstage_command({});
    std::string line;
    for (const auto& arg : std::vector<std::string>{command.argv[0], "run", s.path(), "-e", "prod"}) line += "'" + arg + "' ";
    command.argv = {"sh", "-c", "printf 'no\\n' | script -qec \"" + line + "\" /dev/null"};
    const auto answered = process::run(command);
    const std::string said = answered.out + answered.err;
    CHECK_MESSAGE(answered.exit_code == 3, said);
    CHECK_MESSAGE(answered.out.find("rejected by") != std::string::npos, answered.out);
    const auto status = tfstage_cli({"status", "--state-dir", s.state(), "--json"});
    const json rejected = stage_record(json::parse(status.out), "db").value("rejected", json::object());
    CHECK(!rejected.value("by", "").empty());
    CHECK(rejected.value("plan_sha256", "").size() == 64);

    const auto next = tfstage_cli({"run", s.path(), "-e", "prod", "--json"});
    CHECK_MESSAGE(next.exit_code == 3, next.text());
    const auto warnings = events_of(next, "warning");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].value("warning", "") == "rejected_before");
    CHECK(warnings[0].value("stage", "") == "db");
}

TEST_CASE("resume: a run killed mid-apply shows as interrupted, resumes without applying twice, and keeps the attempt") {
    Scratch s;
    const fs::path counter = s.dir.path() / "counter";
    write_file(s.dir.path() / "infra" / "main.tf", R"(
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "sleep 4; echo created >> ')" + counter.string() + R"('"
  }
}
)");
    write_file(s.file(), R"(
version: 1
root: infra
environments:
  dev: {workspace: dev, approval: auto}
stages:
  - name: slow
    apply: {}
    checks:
      - name: created once
        argv: [sh, -c, "test \"$(wc -l < ')" + counter.string() + R"(')\" -eq 1"]
)");
    process::Background first(tfstage_command({"run", s.path(), "-e", "dev", "--json"}));
    std::string run;
    const auto give_up = std::chrono::steady_clock::now() + 90s;
    while (std::chrono::steady_clock::now() < give_up && first.running()) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(s.state_dir() / "runs", ec)) {
            const json journal = read_json_file(entry.path() / "journal.json");
            if (journal.is_object() && stage_record(journal, "slow").value("checks_pending", false))
                run = journal.value("run", "");
        }
        if (!run.empty()) break;
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE_MESSAGE(!run.empty(), first.output());
    std::this_thread::sleep_for(1500ms);  // inside the provisioner's sleep
    ::kill(first.pid(), SIGKILL);
    first.stop();

    const auto status = tfstage_cli({"status", run, "--state-dir", s.state(), "--json"});
    const json observed = json::parse(status.out, nullptr, false);
    CHECK(observed.value("status", "") == "interrupted");
    CHECK(observed.value("process_gone", false));
    CHECK(stage_record(observed, "slow").value("status", "") == "interrupted");

    const auto resumed = tfstage_cli({"resume", run, "--state-dir", s.state(), "--json"});
    CHECK_MESSAGE(resumed.exit_code == 0, resumed.text());
    CHECK(read_text(counter) == "created\n");
    const json record = stage_record(journal_of(s.state_dir(), run), "slow");
    REQUIRE(record["attempts"].size() == 1);
    CHECK(record["attempts"][0].value("status", "") == "interrupted");
    REQUIRE(record["checks"].size() == 1);
    CHECK(record["checks"][0].value("passed", false));
    CHECK_FALSE(fs::exists(s.dir.path() / "infra" / ".terraform.tfstate.lock.info"));
}
