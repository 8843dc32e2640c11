#include "rollout/cdk_stage.hpp"

#include <fstream>

#include "cdk/assembly.hpp"
#include "cdk/cli.hpp"
#include "rollout/checks.hpp"
#include "rollout/gate.hpp"
#include "rollout/stage_commands.hpp"
#include "rollout/stage_inputs.hpp"
#include "support/atomic_file.hpp"
#include "support/digest.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace tfstage::rollout {
namespace {

// A stack's record in the journal: what happened, and when (for the timing table and for
// seeing which stacks deployed together).
json stack_json(const cdk::StackResult& s, const std::string& action) {
    json out{{"stack", s.stack}, {"action", action}, {"status", s.status}};
    if (s.started) out["started_at"] = iso8601(*s.started);
    if (s.finished) out["finished_at"] = iso8601(*s.finished);
    if (s.started && s.finished) out["duration_ms"] = millis_between(*s.started, *s.finished);
    if (!s.message.empty()) out["message"] = s.message;
    return out;
}

void make_private(const fs::path& file) {
    std::error_code ec;
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
}

class CdkStageRun {
public:
    CdkStageRun(RunContext& run, const Stage& stage, process::CancelToken& cancel)
        : run_(run), stage_(stage), c_(stage.cdk), cancel_(cancel), dir_(run.journal.run_dir() / "cdk"),
          destroying_(!stage.cdk.destroy.empty()), cli_(cli_options()) {}

    std::string execute();

private:
    cdk::CliOptions cli_options();
    void record_timing(const std::string& phase, Clock::time_point since);
    void synth();
    void plan_waves();
    // The preview a person reviews: `cdk diff` (not run when nobody will look), or the list of
    // stacks a destroy deletes.
    void preview();
    GateOutcome gate();
    void deploy_or_destroy();
    void journal_stacks(const std::vector<cdk::StackResult>& results);

    const std::vector<std::string>& wanted() const { return destroying_ ? c_.destroy : c_.deploy; }
    ApprovalRule rule() const { return stage_.approval.value_or(run_.environment.approval); }
    fs::path diff_file() const { return dir_ / (stage_.name + ".diff.txt"); }

    RunContext& run_;
    const Stage& stage_;
    const CdkStage& c_;
    process::CancelToken& cancel_;
    const fs::path dir_;  // the run's cdk/: log, diff, outputs
    const bool destroying_;
    cdk::Cli cli_;

    std::string app_;  // the synthesized assembly once synth ran, else the stage's app
    std::vector<std::vector<std::string>> waves_;
    json timings_ = json::object();
    std::string preview_;
    bool deletes_ = false;
    json stacks_ = json::array();
};

cdk::CliOptions CdkStageRun::cli_options() {
    const Variables base_vars = variables_for(run_, stage_, "");
    cdk::CliOptions o;
    o.working_dir = c_.dir;
    o.binary = c_.cli;
    for (const auto& [key, value] : c_.env) o.env[key] = substitute(value, base_vars);
    o.grace = run_.options.grace;
    o.cancel = borrowed(cancel_);
    // The CLI's whole output, kept per stage next to the journal (redacted, mode 0600).
    fs::create_directories(dir_);
    const fs::path log_file = dir_ / (stage_.name + ".log");
    auto log = std::make_shared<std::ofstream>(log_file, std::ios::app);
    make_private(log_file);
    RunContext& run = run_;
    o.on_output = [&run, log](process::Stream, std::string_view line) {
        *log << run.redact(std::string(line)) << '\n' << std::flush;
    };
    const std::string name = stage_.name;
    o.on_event = [&run, name](const cdk::StackEvent& e) {
        json data{{"stack", e.stack}, {"event", cdk::to_string(e.kind)}};
        if (e.kind == cdk::StackEvent::Kind::resource) {
            data["resource_status"] = e.resource_status;
            data["resource_type"] = e.resource_type;
        }
        if (!e.message.empty()) data["message"] = run.redact(e.message);
        run.emit("cdk_stack", name, std::move(data));
    };
    run_.journal.update_stage(name, [&](json& s) {
        s["cdk"] = {{"dir", c_.dir.string()}, {"log", log_file.string()}};
    });
    return o;
}

void CdkStageRun::record_timing(const std::string& phase, Clock::time_point since) {
    timings_[phase + "_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
    run_.journal.update_stage(stage_.name, [&](json& s) { s["timings"] = timings_; });
}

void CdkStageRun::synth() {
    app_ = c_.app;
    if (c_.synth.empty()) return;
    run_.emit("cdk_synth", stage_.name, {{"output", c_.synth.string()}});
    const auto started = Clock::now();
    cdk::SynthOptions synth;
    synth.app = c_.app;
    synth.context = c_.context;
    synth.output = c_.synth;
    cli_.synth(synth);
    record_timing("synth", started);
    app_ = c_.synth.string();
}

void CdkStageRun::plan_waves() {
    const fs::path assembly_dir = c_.assembly_dir();
    if (!assembly_dir.empty()) {
        const auto assembly = cdk::read_assembly(assembly_dir);
        for (const auto& wave : destroying_ ? cdk::destroy_waves(assembly, wanted()) : cdk::deploy_waves(assembly, wanted())) {
            std::vector<std::string> names;
            for (const auto* stack : wave) names.push_back(stack->display_name);
            waves_.push_back(std::move(names));
        }
    } else {
        waves_.push_back(wanted());  // an app command: the CLI orders them (--exclusively is not used then)
    }
    run_.journal.update_stage(stage_.name, [&](json& s) { s["cdk"]["waves"] = waves_; });
}

void CdkStageRun::preview() {
    deletes_ = destroying_;  // a destroy deletes by definition
    if (destroying_) {
        preview_ = "cdk destroy (deletes these stacks and every resource in them):\n";
        for (const auto& stack : wanted()) preview_ += "  - " + stack + "\n";
        return;
    }
    if (rule() == ApprovalRule::auto_approve && !run_.options.plan_only) return;  // nobody will look
    const auto started = Clock::now();
    cdk::DiffOptions diff;
    diff.app = app_;
    diff.context = c_.context;
    diff.stacks = wanted();
    diff.exclusively = !c_.assembly_dir().empty();
    const auto result = cli_.diff(diff);
    record_timing("diff", started);
    preview_ = run_.redact(result.text);
    deletes_ = result.removals > 0;
    write_file_atomically(diff_file(), preview_, 0600);
    run_.journal.update_stage(stage_.name, [&](json& s) {
        s["diff"] = {{"file", diff_file().string()},
                     {"stacks_with_differences", result.stacks_with_differences},
                     {"removals", result.removals}};
    });
    run_.emit("stage_planned", stage_.name,
              {{"stacks_with_differences", result.stacks_with_differences}, {"removals", result.removals}});
}

GateOutcome CdkStageRun::gate() {
    if (destroying_) write_file_atomically(diff_file(), preview_, 0600);
    // What the gate shows has a hash, as a Terraform plan has: an approval names it.
    const std::string sha256 = sha256_hex(preview_);
    run_.journal.update_stage(stage_.name, [&](json& s) {
        s["diff"]["file"] = diff_file().string();
        s["diff"]["sha256"] = sha256;
    });
    GateQuestion question;
    question.review_required = destroying_ ? rule() != ApprovalRule::auto_approve
                               : rule() == ApprovalRule::manual_when_deleting ? deletes_
                                                                              : rule() == ApprovalRule::manual;
    question.approved_ahead = approved_in_advance(run_, stage_);
    if (const auto bound = run_.options.approved_plans.find(stage_.name); bound != run_.options.approved_plans.end())
        question.resumed_approval = bound->second;
    question.request = {run_.journal.run_id(), stage_.name, preview_, diff_file().string(), sha256, deletes_};
    question.awaiting = {{"diff_file", diff_file().string()}, {"sha256", sha256}};
    return pass_gate(run_, stage_, question);
}

void CdkStageRun::journal_stacks(const std::vector<cdk::StackResult>& results) {
    for (const auto& r : results) stacks_.push_back(stack_json(r, destroying_ ? "destroy" : "deploy"));
    run_.journal.update_stage(stage_.name, [&](json& s) { s["stacks"] = stacks_; });
}

// The stacks, wave after wave; each wave in one CLI call with the stage's concurrency.
void CdkStageRun::deploy_or_destroy() {
    run_.emit("stage_applying", stage_.name);
    const auto started = Clock::now();
    const bool exclusively = !c_.assembly_dir().empty();
    json outputs = json::object();
    for (std::size_t i = 0; i < waves_.size(); ++i) {
        if (cancel_.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + stage_.name + "' was interrupted");
        try {
            if (destroying_) {
                cdk::DestroyOptions destroy;
                destroy.app = app_;
                destroy.context = c_.context;
                destroy.stacks = waves_[i];
                destroy.exclusively = exclusively;
                journal_stacks(cli_.destroy(destroy));
                continue;
            }
            cdk::DeployOptions deploy;
            deploy.app = app_;
            deploy.context = c_.context;
            deploy.stacks = waves_[i];
            deploy.concurrency = c_.concurrency;
            deploy.exclusively = exclusively;
            deploy.method = c_.method;
            deploy.rollback = c_.rollback;
            // The values stay in the run's own file (0600); the journal keeps their names only.
            deploy.outputs_file = dir_ / (stage_.name + ".wave" + std::to_string(i + 1) + ".outputs.json");
            const auto result = cli_.deploy(deploy);
            make_private(deploy.outputs_file);
            for (const auto& [stack, keys] : result.outputs.items()) {
                json key_names = json::array();
                for (const auto& [key, value] : keys.items()) key_names.push_back(key);
                outputs[stack] = key_names;
            }
            journal_stacks(result.stacks);
            run_.journal.update_stage(stage_.name, [&](json& s) { s["outputs"] = outputs; });
        } catch (const cdk::CdkError& e) {
            journal_stacks(e.stacks());
            run_.journal.update_stage(stage_.name, [&](json& s) { s["failed_stacks"] = e.failed_stacks(); });
            record_timing(destroying_ ? "destroy" : "deploy", started);
            throw;
        }
    }
    record_timing(destroying_ ? "destroy" : "deploy", started);
    if (!destroying_) run_.journal.update_stage(stage_.name, [&](json& s) { s["templates"] = template_hashes(c_); });
}

std::string CdkStageRun::execute() {
    run_.journal.update_stage(stage_.name, [&](json& s) { s["cdk"]["cli"] = cli_.binary().string(); });
    synth();
    if (wanted().empty()) return run_.options.plan_only ? stage_status::succeeded : finish_with_checks(run_, stage_, cancel_);
    plan_waves();
    preview();
    if (run_.options.plan_only) return stage_status::succeeded;
    if (gate() == GateOutcome::awaiting_approval) return stage_status::awaiting_approval;
    mark_checks_pending(run_, stage_);
    deploy_or_destroy();
    const auto checks_started = Clock::now();
    const std::string status = finish_with_checks(run_, stage_, cancel_);
    if (!stage_.checks.empty()) record_timing("checks", checks_started);
    return status;
}

}  // namespace

std::string execute_cdk_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel) {
    return CdkStageRun(run, stage, cancel).execute();
}

}  // namespace tfstage::rollout
