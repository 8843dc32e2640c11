#include "rollout/runner.hpp"

#include <unistd.h>

#include "plan/provenance.hpp"
#include "rollout/approvals.hpp"
#include "rollout/attempts.hpp"
#include "rollout/cdk_stage.hpp"
#include "rollout/changes.hpp"
#include "rollout/checks.hpp"
#include "rollout/command_stage.hpp"
#include "rollout/convergence.hpp"
#include "rollout/graph.hpp"
#include "rollout/journal.hpp"
#include "rollout/liveness.hpp"
#include "rollout/lock.hpp"
#include "rollout/resume_rules.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/run_context.hpp"
#include "rollout/run_git.hpp"
#include "rollout/run_status.hpp"
#include "rollout/scheduler.hpp"
#include "rollout/stage_inputs.hpp"
#include "rollout/terraform_stage.hpp"
#include "support/diagnostic_json.hpp"
#include "support/nearest.hpp"
#include "terraform/engine.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

using Clock = std::chrono::steady_clock;

json error_json(const Error& e) {
    json out{{"code", to_string(e.code())}, {"message", e.what()}, {"diagnostics", to_json(e.diagnostics())}};
    // Terraform did not stop within its grace after SIGINT: its state lock may be left behind.
    if (const auto* engine = dynamic_cast<const terraform::EngineError*>(&e); engine != nullptr && engine->killed())
        out["killed"] = true;
    return out;
}

// One run, from its first journal write to its last: the git record and guards, the stages
// selected, the scheduler with this class as its StageExecutor (each stage to the executor of
// its kind), convergence, and the run's final status.
class Execution : private StageExecutor {
public:
    Execution(const Rollout& rollout, RunOptions options, Journal journal, Locks locks)
        : run_(rollout, std::move(options), std::move(journal)), locks_(std::move(locks)) {}

    RunResult run(const json& previous_stages);

private:
    // --- StageExecutor: what the scheduler asks ----------------------------------------
    std::string execute(const Stage& stage, process::CancelToken& cancel) override;
    // Terraform stages on one root and workspace share a state lock; others touch none.
    std::string exclusive_key(const Stage& stage) const override {
        return uses_terraform(stage) ? run_.root_of(stage).key() : "";
    }
    std::optional<std::string> reuse_when_ready(const Stage& stage) override {
        return rollout::reuse_when_ready(run_, selection_, stage);
    }
    void event(const std::string& type, const std::string& stage, const json& data) override { run_.emit(type, stage, data); }

    // The stage's own work, by kind: its status, or an exception.
    std::string execute_by_kind(const Stage& stage, process::CancelToken& cancel);
    // A stage's exception: journaled and emitted; the stage is interrupted, past its deadline,
    // failed, or rolled back (on_failure: rollback).
    std::string after_error(const Stage& stage, const Error& e, process::CancelToken& cancel);
    // Ends a run refused before any stage ran (the guards): its journal says so, instead of
    // staying "running" for ever (and being what `status` and `resume` pick as the latest run).
    void refuse(const Error& e);
    void record_elapsed(json& doc) const;

    RunContext run_;
    Locks locks_;
    StageSelection selection_;
    Scheduler* scheduler_ = nullptr;  // while the scheduler runs: asked whether a stage was late
    Clock::time_point began_;
    std::chrono::milliseconds elapsed_before_{0};
};

std::string Execution::execute_by_kind(const Stage& stage, process::CancelToken& cancel) {
    try {
        switch (stage.kind) {
            case StageKind::command: return execute_command_stage(run_, stage, cancel);
            case StageKind::cdk: return execute_cdk_stage(run_, stage, cancel);
            case StageKind::apply:
            case StageKind::destroy: return execute_terraform_stage(run_, stage, cancel);
        }
        throw Error(ErrorCode::generic, "stage '" + stage.name + "' has an unknown kind");
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        // A file system or JSON failure of our own: journaled like any other stage error.
        throw Error(ErrorCode::generic, std::string("stage '") + stage.name + "': " + e.what());
    }
}

std::string Execution::after_error(const Stage& stage, const Error& e, process::CancelToken& cancel) {
    const std::string message = run_.redact(e.what());
    run_.journal.update_stage(stage.name, [&](json& s) {
        json error = error_json(e);
        error["message"] = message;
        s["error"] = error;
    });
    run_.emit("stage_error", stage.name, {{"code", to_string(e.code())}, {"message", message}});
    if (cancel.cancelled()) {
        const bool late = scheduler_ != nullptr &&
                          (scheduler_->rollout_deadline_hit() || scheduler_->stage_deadline_hit(stage.name));
        return late ? stage_status::deadline_exceeded : stage_status::interrupted;
    }
    return stage.on_failure == OnFailure::rollback ? roll_back(run_, stage) : stage_status::failed;
}

std::string Execution::execute(const Stage& stage, process::CancelToken& cancel) {
    // Outside the journal's lock: it may run the engine (`version -json`), which must never
    // wait while holding the journal.
    const json inputs = stage_inputs(run_, stage);
    run_.journal.update_stage(stage.name, [&](json& s) {
        archive_attempt(s);  // what an earlier attempt did stays in the record
        s["status"] = stage_status::running;
        s["kind"] = stage_kind_word(stage.kind);
        s["started_at"] = now_iso8601();
        s["inputs"] = inputs;
        if (stage.expected) s["expected_ms"] = stage.expected->count();
    });
    run_.emit("stage_started", stage.name, {{"kind", describe_stage(stage)}});
    const auto started = Clock::now();
    std::string status;
    if (run_.options.plan_only && stage.kind == StageKind::command) {
        status = stage_status::skipped;  // `plan` changes nothing: commands may
    } else {
        try {
            status = execute_by_kind(stage, cancel);
        } catch (const Error& e) {
            status = after_error(stage, e, cancel);
        }
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    run_.journal.update_stage(stage.name, [&](json& s) {
        s["status"] = status;
        s["finished_at"] = now_iso8601();
        s["duration_ms"] = elapsed.count();
    });
    run_.emit("stage_finished", stage.name, {{"status", status}, {"duration_ms", elapsed.count()}});
    return status;
}

// The rollout's time is what its runs and resumes took, not the hours a stopped run waited for
// a fix or an approval: the journal keeps the sum (elapsed_ms) for the timing table.
void Execution::record_elapsed(json& doc) const {
    doc["elapsed_ms"] = (elapsed_before_ + std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began_)).count();
}

void Execution::refuse(const Error& e) {
    locks_.clear();  // taken before the journal existed
    const std::string status = e.code() == ErrorCode::policy_violation ? run_status::policy_violation : run_status::failed;
    run_.journal.update([&](json& doc) {
        doc["status"] = status;
        doc["error"] = error_json(e);
        doc["finished_at"] = now_iso8601();
        record_elapsed(doc);
    });
    run_.emit("rollout_finished", "", {{"status", status}, {"error", error_json(e)}});
}

RunResult Execution::run(const json& previous_stages) {
    began_ = Clock::now();
    elapsed_before_ = std::chrono::milliseconds(run_.journal.snapshot().value("elapsed_ms", 0LL));
    const Environment& environment = run_.environment;
    try {
        record_git_and_check_guards(run_);
        selection_ = select_stages(run_, previous_stages);
    } catch (const Error& e) {
        refuse(e);
        throw;
    }
    if (previous_stages.empty()) {
        for (const auto& warning : rejected_before(run_.options.state_dir, run_.journal.snapshot())) {
            run_.journal.update([&](json& doc) { doc["warnings"].push_back(warning); });
            run_.emit("warning", "", warning);
        }
    }
    // Who runs it: readers tell a live run from one whose process died (rollout/liveness.hpp).
    run_.journal.update([&](json& doc) {
        doc["status"] = run_status::running;
        doc["pid"] = ::getpid();
        doc["host"] = host_name();
    });
    run_.emit("run_started", "", {{"environment", environment.name}, {"stages", selection_.order}});

    SchedulerOptions o;
    o.parallelism = run_.options.parallelism;
    o.cancel = run_.options.cancel;
    // The deadline covers what is left of the rollout's time.
    if (environment.deadline) o.rollout_deadline = began_ + *environment.deadline - elapsed_before_;
    Scheduler scheduler(run_.rollout.stages, selection_.order, selection_.needs, selection_.initial, o, *this);
    scheduler_ = &scheduler;
    scheduler.run();
    scheduler_ = nullptr;

    std::string status = run_status_of(scheduler.statuses(), run_.options.cancel->cancelled(), scheduler.rollout_deadline_hit());
    if (status == run_status::succeeded && !run_.options.plan_only && run_.options.converge && run_.rollout.converge) {
        try {
            if (!converge(run_) && run_.options.unconverged == UnconvergedIs::failure) status = run_status::unconverged;
        } catch (const Error& e) {
            run_.journal.update([&](json& doc) { doc["convergence"] = {{"status", "error"}, {"error", error_json(e)}}; });
            status = run_.options.cancel->cancelled() ? run_status::interrupted : run_status::failed;
        }
    }
    // The locks go first: killed after this, the journal still says running (and a resume
    // finds every stage done); killed after the final write, no stale lock is left behind.
    locks_.clear();
    run_.journal.update([&](json& doc) {
        doc["status"] = status;
        doc["finished_at"] = now_iso8601();
        record_elapsed(doc);
        if (environment.deadline)
            doc["deadline_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(*environment.deadline).count();
    });
    run_.emit("rollout_finished", "", {{"status", status}});
    return {run_.journal.run_id(), status, run_.journal.snapshot()};
}

json journal_header(const Rollout& rollout, const RunOptions& options, const std::string& kind) {
    json approve = json::array();
    for (const auto& a : options.approve) approve.push_back(a);
    return {{"kind", kind},
            {"rollout_file", rollout.file.string()},
            {"rollout_sha256", plan::sha256_file(rollout.file)},
            {"name", rollout.name},
            {"environment", options.environment},
            {"started_at", now_iso8601()},
            {"status", run_status::running},
            {"options",
             {{"auto_approve", options.auto_approve},
              {"approve", approve},
              {"only", options.only},
              {"from", options.from},
              {"parallelism", options.parallelism},
              {"plan_only", options.plan_only},
              {"converge", options.converge},
              {"unconverged", options.unconverged == UnconvergedIs::warning ? "warning" : "failure"},
              {"allow_dirty", options.allow_dirty},
              {"allow_branch", options.allow_branch},
              {"allow_behind", options.allow_behind},
              {"changed_since", options.changed_since}}}};
}

// " (did you mean 'vpc'?)" when `name` is a typo of one of `known`, else the list of them.
std::string suggestion(const std::string& name, const std::vector<std::string>& known, const char* what) {
    if (const auto close = nearest(name, std::vector<std::string_view>(known.begin(), known.end())))
        return " (did you mean '" + *close + "'?)";
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return " (" + std::string(what) + ": " + list + ")";
}

void check_stage_names(const Rollout& rollout, const RunOptions& options) {
    std::vector<std::string> stages;
    for (const auto& stage : rollout.stages) stages.push_back(stage.name);
    auto check = [&](const std::string& flag, const std::string& name) {
        if (rollout.find_stage(name) == nullptr)
            throw Error(ErrorCode::invalid_argument,
                        flag + " names no stage '" + name + "'" + suggestion(name, stages, "the stages are"));
    };
    for (const auto& name : options.only) check("--only", name);
    for (const auto& text : options.approve) check("--approve", parse_approval(text).stage);
    if (!options.from.empty()) check("--from", options.from);
    if (rollout.find_environment(options.environment) == nullptr) {
        std::vector<std::string> environments;
        for (const auto& e : rollout.environments) environments.push_back(e.name);
        throw Error(ErrorCode::invalid_argument, "no environment '" + options.environment + "' in " + rollout.file.string() +
                                                     suggestion(options.environment, environments, "it has"));
    }
}

}  // namespace

json Event::to_json() const {
    json out = data.is_object() ? data : json::object();
    out["type"] = type;
    out["time"] = time;
    out["run"] = run;
    if (!stage.empty()) out["stage"] = stage;
    return out;
}

fs::path default_state_dir(const Rollout& rollout) { return rollout.base_dir / ".tfstage"; }

RunResult run_rollout(const Rollout& rollout, RunOptions options) {
    check_stage_names(rollout, options);
    if (!options.approve.empty() && options.kind != "rollback")
        throw Error(ErrorCode::invalid_argument,
                    "--approve " + *options.approve.begin() +
                        ": a new run has no plan anyone has seen yet, and an approval is for a plan you have seen. "
                        "Run without it: the stage stops at its gate and prints its plan's sha256; then "
                        "`tfstage resume RUN --approve STAGE=SHA256`. Stages that need no review say `approval: auto` "
                        "in the rollout file; --auto-approve approves every gate of the run");
    if (!options.changed_since.empty()) check_changed_since(rollout, options.changed_since);  // a bad REF: no run at all
    if (options.state_dir.empty()) options.state_dir = default_state_dir(rollout);
    json header = journal_header(rollout, options, !options.kind.empty() ? options.kind : options.plan_only ? "plan" : "run");
    for (const auto& [key, value] : options.journal_extra.items()) header[key] = value;
    const std::string run_id = Journal::new_run_id(options.state_dir);
    Locks locks = lock_roots(rollout, options.environment, run_id);  // refused: nothing written
    Journal journal = Journal::create(options.state_dir, header, run_id);
    Execution execution(rollout, options, std::move(journal), std::move(locks));
    return execution.run(json::array());
}

RunResult resume_rollout(const fs::path& state_dir, const std::string& run_id, RunOptions options) {
    Journal journal = Journal::open(state_dir, Journal::run_or_latest(state_dir, run_id));
    const json before = journal.snapshot();
    const std::string status = before.value("status", "");
    // Nothing below writes into a run that another process is still running.
    if (const Holder holder = holder_of(before);
        status == run_status::running && holder.on_this_host() && holder.pid != ::getpid() && process_alive(holder.pid))
        throw Error(ErrorCode::state_locked, "run " + journal.run_id() + " is still running (pid " +
                                                 std::to_string(holder.pid) + " on " + holder.host +
                                                 "); wait for it to stop, or interrupt it, then resume");
    if (status == run_status::succeeded)
        throw Error(ErrorCode::invalid_argument, "run " + journal.run_id() + " already succeeded; start a new run instead");
    if (before.value("kind", "") == "rollback")
        throw Error(ErrorCode::invalid_argument, "run " + journal.run_id() + " is a rollback; run `tfstage rollback " +
                                                     before.value("rollback_of", std::string("RUN")) +
                                                     "` again (with --approve STAGE or --auto-approve) instead of resuming it");
    const Rollout rollout = load_rollout_file(before.value("rollout_file", ""));
    options.environment = before.value("environment", "");
    options.state_dir = state_dir;
    const json& saved = before["options"];
    options.auto_approve = options.auto_approve || saved.value("auto_approve", false);
    if (options.only.empty() && saved.contains("only")) options.only = saved["only"].get<std::vector<std::string>>();
    if (options.from.empty()) options.from = saved.value("from", "");
    // The run goes on as it was started: a `tfstage plan` (or --dry-run) run stays plan-only
    // (its stages "succeeded" without applying anything, and must never count as applied), and
    // keeps its parallelism and convergence settings.
    options.plan_only = options.plan_only || saved.value("plan_only", false) || before.value("kind", "") == "plan";
    options.parallelism = saved.value("parallelism", options.parallelism);
    options.converge = saved.value("converge", options.converge);
    if (saved.value("unconverged", "") == "warning") options.unconverged = UnconvergedIs::warning;
    if (options.changed_since.empty()) options.changed_since = saved.value("changed_since", "");
    options.allow_dirty = options.allow_dirty || saved.value("allow_dirty", false);
    options.allow_branch = options.allow_branch || saved.value("allow_branch", false);
    options.allow_behind = options.allow_behind || saved.value("allow_behind", false);
    check_stage_names(rollout, options);
    options.approved_plans = bind_approvals(options.approve, before);  // refused: nothing written
    Locks locks = lock_roots(rollout, options.environment, journal.run_id());
    json approve = json::array();
    for (const auto& [stage, sha256] : options.approved_plans) approve.push_back({{"stage", stage}, {"plan_sha256", sha256}});
    journal.update([&](json& doc) {
        doc["resumed"].push_back({{"at", now_iso8601()}, {"approve", approve}});
        doc["status"] = run_status::running;
        doc.erase("finished_at");
    });
    Execution execution(rollout, options, std::move(journal), std::move(locks));
    return execution.run(before["stages"]);
}

}  // namespace tfstage::rollout
