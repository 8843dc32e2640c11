#include "rollout/checks.hpp"

#include <thread>

#include "rollout/stage_commands.hpp"

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace tfstage::rollout {
namespace {

// Every check in order, each with its retries, until one fails; journaled as they go.
bool run_checks(RunContext& run, const Stage& stage, process::CancelToken& cancel, const std::string& item) {
    json results = json::array();
    bool all_passed = true;
    for (std::size_t i = 0; i < stage.checks.size() && all_passed; ++i) {
        const Check& check = stage.checks[i];
        const std::string name = check.name.empty() ? "check " + std::to_string(i + 1) : check.name;
        const auto vars = variables_for(run, stage, item);
        run.emit("check_started", stage.name, {{"check", name}});
        json attempts = json::array();
        bool passed = false;
        for (int attempt = 0; attempt <= check.retries && !passed && !cancel.cancelled(); ++attempt) {
            if (attempt > 0) {
                const auto until = std::chrono::steady_clock::now() + check.interval;
                while (std::chrono::steady_clock::now() < until && !cancel.cancelled()) std::this_thread::sleep_for(50ms);
            }
            const auto result = run_stage_command(run, check.command, vars, cancel);
            passed = !result.timed_out && !result.cancelled && result.exit_code == check.expect_exit;
            attempts.push_back({{"exit_code", result.exit_code},
                                {"timed_out", result.timed_out},
                                {"duration_ms", result.duration.count()},
                                {"output", run.redact(tail_of(result.out + result.err, 1000))}});
        }
        results.push_back({{"name", name}, {"passed", passed}, {"attempts", attempts}});
        run.journal.update_stage(stage.name, [&](json& s) { s["checks"] = results; });
        run.emit("check_finished", stage.name, {{"check", name}, {"passed", passed}, {"attempts", attempts.size()}});
        all_passed = passed;
    }
    return all_passed;
}

}  // namespace

void mark_checks_pending(RunContext& run, const Stage& stage) {
    if (!stage.checks.empty()) run.journal.update_stage(stage.name, [](json& s) { s["checks_pending"] = true; });
}

std::string finish_with_checks(RunContext& run, const Stage& stage, process::CancelToken& cancel, const std::string& item) {
    if (run_checks(run, stage, cancel, item)) {
        run.journal.update_stage(stage.name, [](json& s) { s.erase("checks_pending"); });
        return stage_status::succeeded;
    }
    if (cancel.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted during its checks");
    run.journal.update_stage(stage.name, [&](json& s) {
        s["error"] = {{"code", "check_failed"}, {"message", "a check of stage '" + stage.name + "' failed"}};
    });
    return stage.on_failure == OnFailure::rollback ? roll_back(run, stage) : stage_status::failed;
}

std::string roll_back(RunContext& run, const Stage& stage) {
    run.emit("rollback_started", stage.name);
    // A fresh token: the stage's own may be cancelled by its deadline.
    process::CancelToken rollback_cancel;
    bool ok = true;
    json steps = json::array();
    const auto vars = variables_for(run, stage, stage.for_each.empty() ? "" : stage.for_each.back());
    for (const auto& step : stage.rollback) {
        if (run.options.cancel->cancelled()) rollback_cancel.cancel();
        const auto result = run_stage_command(run, step, vars, rollback_cancel);
        steps.push_back({{"argv", step.argv}, {"exit_code", result.exit_code},
                         {"output", run.redact(tail_of(result.out + result.err, 1000))}});
        if (result.exit_code != 0) {
            ok = false;
            break;
        }
    }
    run.journal.update_stage(stage.name, [&](json& s) { s["rollback"] = steps; });
    const std::string status = ok ? stage_status::rolled_back : stage_status::rollback_failed;
    run.emit("rollback_finished", stage.name, {{"status", status}});
    return status;
}

}  // namespace tfstage::rollout
