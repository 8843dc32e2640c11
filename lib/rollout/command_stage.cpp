#include "rollout/command_stage.hpp"

#include <thread>

#include "rollout/checks.hpp"
#include "rollout/stage_commands.hpp"

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace tfstage::rollout {

std::string execute_command_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel) {
    std::vector<std::string> items = stage.for_each;
    if (items.empty()) items.emplace_back();  // one run, no ${item}
    json results = json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0 && stage.wait.count() > 0) {
            const auto until = std::chrono::steady_clock::now() + stage.wait;
            while (std::chrono::steady_clock::now() < until && !cancel.cancelled()) std::this_thread::sleep_for(50ms);
        }
        if (cancel.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted");
        const auto vars = variables_for(run, stage, items[i]);
        if (i == 0) mark_checks_pending(run, stage);
        run.emit("command_started", stage.name, {{"item", items[i]}});
        const auto result = run_stage_command(run, stage.command, vars, cancel);
        results.push_back({{"item", items[i]}, {"exit_code", result.exit_code},
                           {"output", run.redact(tail_of(result.out + result.err))}});
        run.journal.update_stage(stage.name, [&](json& s) { s["commands"] = results; });
        run.emit("command_finished", stage.name, {{"item", items[i]}, {"exit_code", result.exit_code}});
        if (result.cancelled) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted");
        if (result.timed_out) throw Error(ErrorCode::timeout, "the command of stage '" + stage.name + "' timed out");
        if (result.exit_code != 0)
            throw Error(ErrorCode::generic, "the command of stage '" + stage.name + "'" +
                                                (items[i].empty() ? "" : " (item " + items[i] + ")") + " exited with " +
                                                std::to_string(result.exit_code) + ": " +
                                                run.redact(tail_of(result.err.empty() ? result.out : result.err, 300)));
    }
    return finish_with_checks(run, stage, cancel, items.back());
}

}  // namespace tfstage::rollout
