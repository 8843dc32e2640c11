// tfstage rollback RUN [--approve STAGE]... [--auto-approve] [--state-dir DIR]
#include <memory>

#include "rollout/runner.hpp"
#include "rollout_output.hpp"

namespace tfstage::cli {

void register_rollback(CLI::App& app, Context& context) {
    struct Args {
        std::string run;
        std::vector<std::string> approve;
        bool auto_approve = false;
        std::string state_dir = ".tfstage";
    };
    auto args = std::make_shared<Args>();
    auto* rollback = app.add_subcommand(
        "rollback", "roll RUN back to the commit of the last successful run before it: its stages in reverse order, "
                    "planned against that commit's files, through the same gates");
    rollback->fallthrough();  // global options (--json) may follow the verb
    rollback->add_option("RUN", args->run, "the run to roll back")->required();
    rollback->add_option("--approve", args->approve, "approve this stage's gate in advance (repeatable)");
    rollback->add_flag("--auto-approve", args->auto_approve, "approve every gate (policies still apply)");
    rollback->add_option("--state-dir", args->state_dir, "the state directory (default: ./.tfstage)");
    rollback->callback([&context, args] {
        rollout::RunOptions options = base_run_options(context);
        options.approve = std::set<std::string>(args->approve.begin(), args->approve.end());
        options.auto_approve = args->auto_approve;
        const auto result = rollout::rollback_run(args->state_dir, args->run, options);
        context.exit_code = exit_code_for_status(result.status);
    });
}

}  // namespace tfstage::cli
