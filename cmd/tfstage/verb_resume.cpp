// tfstage resume [RUN] [--approve STAGE]...
#include <memory>

#include "rollout/journal.hpp"
#include "rollout_output.hpp"

namespace tfstage::cli {

void register_resume(CLI::App& app, Context& context) {
    struct Args {
        std::string run;
        std::vector<std::string> approve;
        bool auto_approve = false;
        std::string state_dir = ".tfstage";
        bool allow_dirty = false;
        bool allow_branch = false;
        bool allow_behind = false;
    };
    auto args = std::make_shared<Args>();
    auto* resume = app.add_subcommand("resume", "continue a stopped run: finished stages are not applied again");
    resume->fallthrough();  // global options (--json) may follow the verb
    resume->add_option("RUN", args->run, "the run id (default: the latest run)");
    resume->add_option("--approve", args->approve,
                       "STAGE or STAGE=SHA256: approve the plan awaiting approval for STAGE, the one `status` and the "
                       "gate showed (refused when there is none or it is not that plan; repeatable)");
    resume->add_flag("--auto-approve", args->auto_approve, "approve every gate");
    resume->add_option("--state-dir", args->state_dir, "the state directory (default: ./.tfstage)");
    resume->add_flag("--allow-dirty", args->allow_dirty, "go on although require_clean refuses (journaled)");
    resume->add_flag("--allow-branch", args->allow_branch, "go on although require_branch refuses (journaled)");
    resume->add_flag("--allow-behind", args->allow_behind, "go on although require_up_to_date refuses (journaled)");
    resume->callback([&context, args] {
        rollout::RunOptions options = base_run_options(context);
        options.allow_dirty = args->allow_dirty;
        options.allow_branch = args->allow_branch;
        options.allow_behind = args->allow_behind;
        options.approve = std::set<std::string>(args->approve.begin(), args->approve.end());
        options.auto_approve = args->auto_approve;
        const auto result = rollout::resume_rollout(args->state_dir, args->run, options);
        context.exit_code = exit_code_for_status(result.status);
    });
}

}  // namespace tfstage::cli
