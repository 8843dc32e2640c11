// The run engine's rules behind its seam, without Terraform: the gate's decision (rule,
// approval in advance, an approval bound on resume, a person, waiting), a void approval, the
// run's status from its stages', and the resume rules (a finished stage is reused only while
// its fingerprint is unchanged; a journal of tfstage 0.1.0 still resumes).
#include <doctest/doctest.h>

#include "rollout/gate.hpp"
#include "rollout/journal.hpp"
#include "rollout/resume_rules.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/run_context.hpp"
#include "rollout/run_status.hpp"
#include "rollout/stage_inputs.hpp"
#include "rollout/scratch.hpp"

using namespace tfstage;
using namespace tfstage::rollout;
using json = nlohmann::json;

namespace {

const char* const kRollout = R"(version: 1
name: rules
environments:
  prod: {approval: manual}
stages:
  - name: shift
    run: {argv: [/bin/true]}
  - name: verify
    run: {argv: [/bin/true, "${env}"]}
)";

// A run of kRollout in a scratch project: a real journal, no Terraform.
struct Scratch {
    test::RolloutScratch project;
    Rollout rollout;
    std::vector<Event> events;
    std::unique_ptr<RunContext> run;

    explicit Scratch(RunOptions options = {}) {
        rollout = load_rollout_file(project.write("rollout.yaml", kRollout));
        options.environment = "prod";
        options.state_dir = project.dir() / ".tfstage";
        options.approver = "alice";
        options.on_event = [this](const Event& e) { events.push_back(e); };
        run = std::make_unique<RunContext>(rollout, options,
                                           Journal::create(options.state_dir, {{"environment", "prod"}}));
    }
    const Stage& stage(const std::string& name) const { return *rollout.find_stage(name); }
    std::vector<std::string> types() const {
        std::vector<std::string> out;
        for (const auto& e : events) out.push_back(e.type);
        return out;
    }
    json record(const std::string& name) const { return run->journal.stage(name); }
};

GateQuestion question_for(const std::string& sha256) {
    GateQuestion q;
    q.request.stage = "shift";
    q.request.plan_sha256 = sha256;
    q.awaiting = {{"sha256", sha256}};
    return q;
}

}  // namespace

TEST_CASE("gate: a plan that needs no review passes by the rule and is journaled as such") {
    Scratch s;
    GateQuestion q = question_for("aaaa");
    q.review_required = false;
    CHECK(pass_gate(*s.run, s.stage("shift"), q) == GateOutcome::approved);
    CHECK(s.record("shift")["approval"]["how"] == "rule");
    CHECK(s.record("shift")["approval"]["by"] == "rule");
    CHECK(s.record("shift")["approval"]["plan_sha256"] == "aaaa");
}

TEST_CASE("gate: without a person or an approval the stage waits and nothing is approved") {
    Scratch s;
    CHECK(pass_gate(*s.run, s.stage("shift"), question_for("aaaa")) == GateOutcome::awaiting_approval);
    CHECK_FALSE(s.record("shift").contains("approval"));
    CHECK(s.types() == std::vector<std::string>{"awaiting_approval"});
}

TEST_CASE("gate: a person's yes is a prompt approval and a no is a journaled rejection") {
    RunOptions options;
    bool answer = true;
    std::string shown;
    options.ask = [&](const GateRequest& r) {
        shown = r.plan_sha256;
        return answer;
    };
    Scratch s(options);
    CHECK(pass_gate(*s.run, s.stage("shift"), question_for("aaaa")) == GateOutcome::approved);
    CHECK(shown == "aaaa");
    CHECK(s.record("shift")["approval"]["how"] == "prompt");
    CHECK(s.record("shift")["approval"]["by"] == "alice");

    answer = false;
    CHECK(pass_gate(*s.run, s.stage("verify"), question_for("bbbb")) == GateOutcome::awaiting_approval);
    CHECK(s.record("verify")["rejected"]["plan_sha256"] == "bbbb");
    CHECK(s.record("verify")["rejected"]["by"] == "alice");
    CHECK_FALSE(s.record("verify").contains("approval"));
}

TEST_CASE("gate: --auto-approve approves in advance without asking") {
    RunOptions options;
    options.auto_approve = true;
    options.ask = [](const GateRequest&) -> bool { throw std::logic_error("asked"); };
    Scratch s(options);
    CHECK(pass_gate(*s.run, s.stage("shift"), [] {
              GateQuestion q = question_for("aaaa");
              q.approved_ahead = true;
              return q;
          }()) == GateOutcome::approved);
    CHECK(s.record("shift")["approval"]["how"] == "auto_approve");
}

TEST_CASE("gate: an approval bound on resume passes only the plan it names") {
    RunOptions options;
    int asked = 0;
    options.ask = [&](const GateRequest&) {
        ++asked;
        return true;
    };
    Scratch s(options);
    GateQuestion same = question_for("aaaa");
    same.resumed_approval = "aaaa";
    CHECK(pass_gate(*s.run, s.stage("shift"), same) == GateOutcome::approved);
    CHECK(s.record("shift")["approval"]["how"] == "resume");

    // The plan made again differs: the approval is void, and the new plan waits at its gate
    // even with a person at the terminal (an approval never carries over).
    GateQuestion other = question_for("bbbb");
    other.resumed_approval = "aaaa";
    CHECK(pass_gate(*s.run, s.stage("verify"), other) == GateOutcome::awaiting_approval);
    CHECK(asked == 0);
    CHECK(s.record("verify")["approval_void"]["plan_sha256"] == "aaaa");
    CHECK_FALSE(s.record("verify").contains("approval"));
}

TEST_CASE("run status: the most serious stage outcome wins") {
    using M = std::map<std::string, std::string>;
    CHECK(run_status_of(M{{"a", "succeeded"}, {"b", "no_changes"}, {"c", "skipped"}}, false, false) == "succeeded");
    CHECK(run_status_of(M{{"a", "succeeded"}, {"b", "awaiting_approval"}}, false, false) == "awaiting_approval");
    CHECK(run_status_of(M{{"a", "failed"}, {"b", "awaiting_approval"}}, false, false) == "failed");
    CHECK(run_status_of(M{{"a", "rolled_back"}, {"b", "failed"}}, false, false) == "rolled_back");
    CHECK(run_status_of(M{{"a", "rollback_failed"}, {"b", "rolled_back"}}, false, false) == "rollback_failed");
    CHECK(run_status_of(M{{"a", "succeeded"}, {"b", "pending"}}, false, false) == "failed");
    CHECK(run_status_of(M{{"a", "succeeded"}}, true, false) == "interrupted");
    CHECK(run_status_of(M{{"a", "interrupted"}}, true, true) == "deadline_exceeded");
    CHECK(run_status_of(M{{"a", "deadline_exceeded"}, {"b", "failed"}}, false, false) == "deadline_exceeded");
}

TEST_CASE("resume rules: a finished stage is reused only while its fingerprint is unchanged") {
    Scratch s;
    const json shift{{"name", "shift"}, {"status", "succeeded"}, {"inputs", stage_inputs(*s.run, s.stage("shift"))}};
    json verify{{"name", "verify"}, {"status", "succeeded"}, {"inputs", stage_inputs(*s.run, s.stage("verify"))}};
    verify["inputs"]["argv"] = json::array({"/bin/true", "changed"});
    const StageSelection selection = select_stages(*s.run, json::array({shift, verify}));
    CHECK(selection.order == std::vector<std::string>{"shift", "verify"});
    CHECK(selection.initial.at("shift") == "succeeded");
    CHECK(selection.initial.at("verify") == "pending");
}

TEST_CASE("resume rules: an unfinished stage runs again and --only skips the others") {
    RunOptions options;
    options.only = {"verify"};
    Scratch s(options);
    const json verify{{"name", "verify"}, {"status", "failed"}, {"inputs", stage_inputs(*s.run, s.stage("verify"))}};
    const StageSelection selection = select_stages(*s.run, json::array({verify}));
    CHECK(selection.initial.at("shift") == "skipped");
    CHECK(selection.initial.at("verify") == "pending");
    CHECK(s.record("shift")["status"] == "skipped");
}

TEST_CASE("resume rules: a stage journaled by tfstage 0.1.0 with its kind as a number is reused and upgraded") {
    Scratch s;
    json inputs = stage_inputs(*s.run, s.stage("shift"));
    CHECK(inputs["kind"] == "command");
    inputs["kind"] = 2;  // StageKind::command, as 0.1.0 wrote it
    const json old{{"name", "shift"}, {"status", "succeeded"}, {"inputs", inputs}};
    const StageSelection selection = select_stages(*s.run, json::array({old}));
    CHECK(selection.initial.at("shift") == "succeeded");
    CHECK(s.record("shift")["inputs"]["kind"] == "command");
}

TEST_CASE("run options: a misspelt stage or environment is refused with the name meant, before anything is written") {
    test::RolloutScratch scratch;
    const Rollout rollout = load_rollout_file(scratch.write("rollout.yaml", kRollout));
    RunOptions options;
    options.environment = "prod";
    options.state_dir = scratch.dir() / ".tfstage";
    options.only = {"shfit"};
    try {
        run_rollout(rollout, options);
        FAIL("a misspelt --only was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(std::string(e.what()) == "--only names no stage 'shfit' (did you mean 'shift'?)");
    }
    options.only.clear();
    options.environment = "prdo";
    try {
        run_rollout(rollout, options);
        FAIL("a misspelt environment was accepted");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("no environment 'prdo'") != std::string::npos);
        CHECK(std::string(e.what()).find("(did you mean 'prod'?)") != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(options.state_dir));
}
