#include "rollout_output.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <mutex>

#include "ops/event_documents.hpp"
#include "rollout/journal.hpp"

namespace tfstage::cli {
namespace {

struct Style {
    bool color;
    std::string paint(const std::string& text, const char* code) const {
        return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
    }
};

const char* status_colour(const std::string& status) {
    if (status == "succeeded" || status == "no_changes" || status == "converged") return "32";
    if (status == "awaiting_approval" || status == "skipped" || status == "unconverged") return "33";
    return "31";
}

std::string seconds(const nlohmann::json& data) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1fs", data.value("duration_ms", 0) / 1000.0);
    return text;
}

std::string summary_line(const nlohmann::json& s) {
    return std::to_string(s.value("create", 0)) + " to add, " + std::to_string(s.value("update", 0)) + " to change, " +
           std::to_string(s.value("delete", 0)) + " to destroy, " + std::to_string(s.value("replace", 0)) + " to replace";
}

// " --state-dir DIR" when the run's journal is not in ./.tfstage (plans live in
// STATE/runs/RUN/plans/), so that the printed resume command works from here.
std::string state_dir_option(const std::string& plan_file) {
    if (plan_file.empty()) return "";
    const std::filesystem::path state_dir = std::filesystem::path(plan_file).parent_path().parent_path().parent_path().parent_path();
    std::error_code ec;
    if (std::filesystem::equivalent(state_dir, ".tfstage", ec)) return "";
    return " --state-dir " + state_dir.string();
}

}  // namespace

std::function<void(const rollout::Event&)> rollout_printer(const Context& context) {
    if (context.global.json) {
        return [](const rollout::Event& e) { std::cout << ops::event_document(e).dump() << '\n' << std::flush; };
    }
    const Style style{context.global.color};
    const bool terminal = ::isatty(STDOUT_FILENO) != 0;
    auto mutex = std::make_shared<std::mutex>();
    auto bar_shown = std::make_shared<bool>(false);
    return [style, terminal, mutex, bar_shown](const rollout::Event& e) {
        std::lock_guard lock(*mutex);
        const auto& d = e.data;
        auto line = [&](const std::string& text) {
            if (*bar_shown) std::cout << "\r\033[K";
            *bar_shown = false;
            std::cout << text << '\n' << std::flush;
        };
        if (e.type == "run_started") {
            line("run " + e.run + " (" + d.value("environment", "") + ")");
        } else if (e.type == "warning") {
            line(style.paint("warning: " + d.value("message", ""), "33") +
                 (d.value("override", "").empty() ? "" : "  (" + d.value("override", "") + ")"));
        } else if (e.type == "selection") {
            line("changed since " + d.value("changed_since", "") + " (merge base " + d.value("merge_base", "").substr(0, 12) +
                 "): " + std::to_string(d.value("changed_files", nlohmann::json::array()).size()) + " file(s)");
            for (const auto& s : d.value("stages", nlohmann::json::array())) {
                std::string why;
                for (const auto& r : s.value("reasons", nlohmann::json::array()))
                    why += (why.empty() ? "" : "; ") + r.get<std::string>();
                line((s.value("selected", false) ? "  + " : "  - ") + s.value("name", "") + ": " +
                     (why.empty() ? "no change in its code" : why));
            }
        } else if (e.type == "rollback_target") {
            line("rollback of run " + d.value("rollback_of", "") + " to run " + d.value("to_run", "") + ", commit " +
                 d.value("description", ""));
            for (const auto& s : d.value("skipped", nlohmann::json::array()))
                line(style.paint("  skipped " + s.value("stage", "") + ": " + s.value("reason", ""), "33"));
            for (const auto& w : d.value("warnings", nlohmann::json::array()))
                line(style.paint("  warning: " + w.value("message", ""), "33"));
        } else if (e.type == "stage_started") {
            line(style.paint("> " + e.stage, "1") + "  " + d.value("kind", ""));
        } else if (e.type == "stage_planned" && d.contains("stacks_with_differences")) {
            // A cdk stage's `cdk diff`.
            line("  cdk diff: " + std::to_string(d.value("stacks_with_differences", -1)) + " stack(s) with differences, " +
                 std::to_string(d.value("removals", 0)) + " resource(s) removed");
        } else if (e.type == "stage_planned") {
            line("  plan: " + summary_line(d.value("summary", nlohmann::json::object())) + "  (sha256 " +
                 d.value("sha256", "").substr(0, 12) + ")");
        } else if (e.type == "cdk_synth") {
            line("  cdk synth -> " + d.value("output", ""));
        } else if (e.type == "cdk_stack" && d.value("event", "") != "resource") {
            const std::string event = d.value("event", "");
            const std::string text = "  " + d.value("stack", "") + ": " + event +
                                     (d.contains("message") ? " " + d.value("message", "") : std::string());
            line(event == "failed" ? style.paint(text, "31") : text);
        } else if (e.type == "policy_violation") {
            for (const auto& v : d["violations"])
                line(style.paint("  policy " + v.value("rule", "") + ": " + v.value("address", "") + " " + v.value("detail", ""), "31"));
        } else if (e.type == "awaiting_approval") {
            const std::string review = d.contains("diff_file") ? d.value("diff_file", "") : d.value("plan_file", "");
            // The approval names the plan's hash: it can only approve the plan reviewed.
            const std::string sha256 = d.value("sha256", "");
            line(style.paint("  awaiting approval", "33") + ": review " + review + (sha256.empty() ? "" : " (sha256 " + sha256 + ")") +
                 ", then: tfstage resume " + e.run + " --approve " + e.stage +
                 (sha256.empty() ? "" : "=" + sha256.substr(0, 12)) + state_dir_option(review));
        } else if (e.type == "approval_rejected") {
            line(style.paint("  rejected by " + d.value("by", "") + ": the plan stays unapplied", "33"));
        } else if (e.type == "approval_void") {
            line(style.paint("  the approval given does not apply: " + d.value("reason", "") + "; planned again: review and approve the new plan", "33"));
        } else if (e.type == "checks_pending") {
            line("  nothing to apply, but " + d.value("reason", "") + ": running them");
        } else if (e.type == "plan_stale") {
            line(style.paint("  the approved plan is stale (the state changed); planned again: approve the new plan", "33"));
        } else if (e.type == "progress") {
            const int done = d.value("done", 0);
            const int planned = std::max(d.value("planned", 0), done);
            if (terminal) {
                const int width = 30;
                const int filled = planned > 0 ? done * width / planned : width;
                std::cout << "\r\033[K  [" << std::string(static_cast<std::size_t>(filled), '#')
                          << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << done << "/" << planned << " "
                          << d.value("address", "") << std::flush;
                *bar_shown = true;
            } else {
                line("  " + d.value("address", "") + ": " + d.value("action", "") + " " + d.value("result", ""));
            }
        } else if (e.type == "check_finished") {
            const bool passed = d.value("passed", false);
            line("  check " + d.value("check", "") + ": " +
                 style.paint(passed ? "passed" : "failed", passed ? "32" : "31") + " (" +
                 std::to_string(d.value("attempts", 0)) + " attempt(s))");
        } else if (e.type == "stage_error") {
            line(style.paint("  error: " + d.value("message", ""), "31"));
        } else if (e.type == "rollback_started") {
            line("  rolling back " + e.stage);
        } else if (e.type == "deadline_exceeded") {
            line(style.paint("  deadline exceeded (" + d.value("scope", "") + ")", "31"));
        } else if (e.type == "stage_reused") {
            line("= " + e.stage + ": " + d.value("status", "") + " earlier (inputs unchanged), not run again");
        } else if (e.type == "stage_changed") {
            line("~ " + e.stage + ": finished earlier, but " + d.value("reason", "its inputs changed") + ": runs again");
        } else if (e.type == "stage_finished") {
            const std::string status = d.value("status", "");
            line(style.paint((rollout::is_done(status) ? "ok " : "-- ") + e.stage + ": " + status, status_colour(status)) +
                 "  " + seconds(d));
        } else if (e.type == "convergence") {
            const std::string status = d.value("status", "");
            line("convergence: " + style.paint(status, status_colour(status)));
            for (const auto& root : d["roots"])
                for (const auto& address : root["addresses"]) line("  still to change: " + address.get<std::string>());
        } else if (e.type == "rollout_finished") {
            const std::string status = d.value("status", "");
            line("run " + e.run + ": " + style.paint(status, status_colour(status)));
        }
    };
}

std::function<bool(const rollout::GateRequest&)> terminal_gate(const Context& context) {
    if (context.global.json || !::isatty(STDIN_FILENO) || !::isatty(STDOUT_FILENO)) return {};
    return [](const rollout::GateRequest& request) {
        std::cout << "\n" << request.summary_text << '\n';
        if (!request.plan_file.empty()) std::cout << "plan " << request.plan_file << " (sha256 " << request.plan_sha256 << ")\n";
        if (request.deletes) std::cout << "This plan DELETES or REPLACES resources.\n";
        std::cout << "Apply stage '" << request.stage << "'? Only 'yes' applies: " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        return answer == "yes";
    };
}

int exit_code_for_status(const std::string& status) { return rollout::run_outcome(status).exit_code; }

rollout::RunOptions base_run_options(const Context& context) {
    rollout::RunOptions options;
    options.cli_config = context.global.cli_config;
    options.cancel = context.cancel;
    options.on_event = rollout_printer(context);
    options.ask = terminal_gate(context);
    return options;
}

}  // namespace tfstage::cli
