// tfstage status [RUN]   and   tfstage history
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "ops/run_records.hpp"
#include "rollout/journal.hpp"
#include "rollout_output.hpp"

namespace tfstage::cli {
namespace {

// "commit abc123... on main (dirty: 2 modified, 1 untracked)"
std::string commit_text(const nlohmann::json& git) {
    std::string text = "commit " + (git.value("commit", "").empty() ? std::string("(none yet)") : git.value("commit", ""));
    if (git.value("detached", false)) text += " (detached)";
    else if (!git.value("branch", "").empty()) text += " on " + git.value("branch", "");
    if (git.value("source", "") == "rollback") text += " (the commit's files, not the working tree)";
    if (git.value("dirty", false))
        text += " (dirty: " + std::to_string(git.value("modified", nlohmann::json::array()).size()) + " modified, " +
                std::to_string(git.value("untracked", nlohmann::json::array()).size()) + " untracked)";
    return text;
}

std::string minutes(double ms) {
    char text[32];
    if (ms < 60000) std::snprintf(text, sizeof text, "%.1f s", ms / 1000.0);
    else std::snprintf(text, sizeof text, "%.1f min", ms / 60000.0);
    return text;
}

// The seed's "target vs actual minutes" table, from the journal: each stage's `expected`
// duration against the time it took, and the phases inside CDK stages (synth, diff, deploy,
// checks). Shown when any stage has a target.
void print_timings(const nlohmann::json& run) {
    const auto stages = run.value("stages", nlohmann::json::array());
    const bool any = std::any_of(stages.begin(), stages.end(), [](const nlohmann::json& s) { return s.contains("expected_ms"); });
    if (!any) return;
    std::cout << "  timings (target vs actual):\n" << std::flush;
    std::printf("  %-40s %10s %10s  %s\n", "phase", "target", "actual", "");
    double target_total = 0;
    double actual_total = 0;
    for (const auto& stage : stages) {
        const std::string name = stage.value("name", "?");
        const bool has_target = stage.contains("expected_ms");
        const bool has_actual = stage.contains("duration_ms");
        const double target = stage.value("expected_ms", 0.0);
        const double actual = stage.value("duration_ms", 0.0);
        target_total += target;
        actual_total += actual;
        const char* verdict = !has_target || !has_actual ? "" : actual <= target ? "ok" : "over target";
        std::printf("  %-40s %10s %10s  %s\n", name.c_str(), has_target ? minutes(target).c_str() : "-",
                    has_actual ? minutes(actual).c_str() : "-", verdict);
        const auto timings = stage.value("timings", nlohmann::json::object());
        for (const auto& [phase, ms] : timings.items()) {
            const std::string label = "  " + phase.substr(0, phase.size() - 3);  // "deploy_ms" -> "deploy"
            std::printf("  %-40s %10s %10s\n", label.c_str(), "", minutes(ms.get<double>()).c_str());
        }
        for (const auto& stack : stage.value("stacks", nlohmann::json::array())) {
            if (!stack.contains("duration_ms")) continue;
            const std::string label = "  " + stack.value("stack", "?") + " (" + stack.value("status", "") + ")";
            std::printf("  %-40s %10s %10s\n", label.c_str(), "", minutes(stack["duration_ms"].get<double>()).c_str());
        }
    }
    std::printf("  %-40s %10s %10s  %s\n", "total (sum of phases)", minutes(target_total).c_str(), minutes(actual_total).c_str(),
                actual_total <= target_total ? "ok" : "over target");
    // Stages that ran side by side count once here; the target is the rollout's deadline.
    if (run.contains("elapsed_ms")) {
        const double elapsed = run["elapsed_ms"].get<double>();
        const bool has_deadline = run.contains("deadline_ms");
        const double deadline = run.value("deadline_ms", 0.0);
        std::printf("  %-40s %10s %10s  %s\n", "rollout (wall clock, deadline)", has_deadline ? minutes(deadline).c_str() : "-",
                    minutes(elapsed).c_str(), !has_deadline ? "" : elapsed <= deadline ? "ok" : "over deadline");
    }
}

std::string counts_text(const nlohmann::json& s) {
    return "+" + std::to_string(s.value("create", 0)) + " ~" + std::to_string(s.value("update", 0)) + " -" +
           std::to_string(s.value("delete", 0)) + " +/-" + std::to_string(s.value("replace", 0));
}

// An earlier attempt of a stage (rollout/attempts.hpp): what it planned, applied and checked.
void print_attempt(const nlohmann::json& attempt) {
    std::cout << "    attempt " << attempt.value("attempt", 0) << ": " << attempt.value("status", "?");
    if (attempt.contains("plan"))
        std::cout << "  planned " << counts_text(attempt["plan"].value("summary", nlohmann::json::object())) << " (sha256 "
                  << attempt["plan"].value("sha256", "").substr(0, 12) << ")";
    if (attempt.contains("applied"))
        std::cout << "  applied +" << attempt["applied"].value("add", 0) << " ~" << attempt["applied"].value("change", 0)
                  << " -" << attempt["applied"].value("remove", 0);
    for (const auto& check : attempt.value("checks", nlohmann::json::array()))
        std::cout << "  check " << check.value("name", "") << " " << (check.value("passed", false) ? "passed" : "failed");
    if (attempt.contains("error")) std::cout << "  error: " << attempt["error"].value("message", "");
    std::cout << '\n';
}

// The plan waiting at a gate, with the hash an approval names.
void print_awaiting(const nlohmann::json& run, const nlohmann::json& stage) {
    const nlohmann::json record = stage.contains("plan") ? stage["plan"] : stage.value("diff", nlohmann::json::object());
    const std::string sha = record.value("sha256", "");
    if (sha.empty()) return;
    std::cout << "    awaiting approval: " << (stage.contains("plan") ? "plan " : "cdk diff ") << record.value("file", "")
              << "\n      sha256 " << sha << "\n      approve: tfstage resume " << run.value("run", "") << " --approve "
              << stage.value("name", "") << "=" << sha.substr(0, 12) << '\n';
    if (stage.contains("rejected"))
        std::cout << "      rejected by " << stage["rejected"].value("by", "?") << " at " << stage["rejected"].value("at", "?")
                  << '\n';
}

void print_status(const nlohmann::json& run) {
    std::cout << "run " << run.value("run", "?") << "  " << run.value("kind", "run") << "  env "
              << run.value("environment", "?") << "  " << run.value("status", "?") << "\n  file "
              << run.value("rollout_file", "?") << "\n  started " << run.value("started_at", "?");
    if (run.contains("finished_at")) std::cout << ", finished " << run.value("finished_at", "");
    std::cout << '\n';
    if (run.value("process_gone", false))
        std::cout << "  its process (pid " << run.value("pid", 0) << " on " << run.value("host", "?")
                  << ") is gone: the run was interrupted; `tfstage resume " << run.value("run", "") << "` continues it\n";
    if (run.contains("git") && run["git"].is_object()) std::cout << "  " << commit_text(run["git"]) << '\n';
    if (run.contains("rollback_of"))
        std::cout << "  rollback of run " << run.value("rollback_of", "") << " to run "
                  << run["rollback_to"].value("run", "") << " (" << run["rollback_to"].value("description", "") << ")\n";
    for (const auto& warning : run.value("warnings", nlohmann::json::array()))
        std::cout << "  warning: " << warning.value("message", "") << '\n';
    for (const auto& stage : run.value("stages", nlohmann::json::array())) {
        std::cout << "  " << stage.value("name", "?") << ": " << stage.value("status", "?");
        if (stage.contains("duration_ms")) std::cout << " (" << stage["duration_ms"].get<double>() / 1000.0 << "s)";
        if (stage.contains("plan")) std::cout << "  " << counts_text(stage["plan"].value("summary", nlohmann::json::object()));
        if (stage.value("attempt", 1) > 1) std::cout << "  attempt " << stage.value("attempt", 1);
        if (stage.contains("error")) std::cout << "\n    error: " << stage["error"].value("message", "");
        std::cout << '\n';
        if (stage.value("status", "") == rollout::run_status::awaiting_approval) print_awaiting(run, stage);
        for (const auto& attempt : stage.value("attempts", nlohmann::json::array())) print_attempt(attempt);
    }
    if (run.contains("convergence")) std::cout << "  convergence: " << run["convergence"].value("status", "") << '\n';
    print_timings(run);
    std::fflush(stdout);
}

}  // namespace

void register_status(CLI::App& app, Context& context) {
    auto run_id = std::make_shared<std::string>();
    auto state_dir = std::make_shared<std::string>(".tfstage");
    auto* status = app.add_subcommand("status", "show a run's stages from its journal (default: the latest run)");
    status->fallthrough();  // global options (--json) may follow the verb
    status->add_option("RUN", *run_id, "the run id");
    status->add_option("--state-dir", *state_dir, "the state directory (default: ./.tfstage)");
    status->callback([&context, run_id, state_dir] {
        const auto run = ops::run_status(*state_dir, *run_id);
        if (context.global.json) {
            std::cout << run.dump() << '\n';
        } else {
            print_status(run);
        }
        context.exit_code = exit_code_for_status(run.value("status", ""));
    });

    auto history_dir = std::make_shared<std::string>(".tfstage");
    auto* history = app.add_subcommand("history", "list the runs, oldest first");
    history->fallthrough();
    history->add_option("--state-dir", *history_dir, "the state directory (default: ./.tfstage)");
    history->callback([&context, history_dir] {
        for (const auto& run : ops::history(*history_dir)) {
            if (context.global.json) {
                std::cout << run.dump() << '\n';
            } else {
                std::cout << run.value("run", "") << "  " << run.value("kind", "run") << "  "
                          << run.value("environment", "") << "  " << run.value("status", "") << "  "
                          << run.value("started_at", "");
                const auto git = run.value("git", nlohmann::json());
                if (git.is_object()) {
                    const std::string commit = git.value("commit", "");
                    std::cout << "  " << (commit.empty() ? std::string("(no commit)") : commit.substr(0, 12))
                              << (git.value("dirty", false) ? "+dirty" : "");
                }
                std::cout << '\n';
            }
        }
    });
}

}  // namespace tfstage::cli
