// tfstage run FILE -e ENV ...   and   tfstage plan FILE -e ENV
#include <memory>

#include "rollout/rollout_file.hpp"
#include "rollout_output.hpp"

namespace tfstage::cli {
namespace {

struct RunArgs {
    std::string file;
    std::string environment;
    bool auto_approve = false;
    std::vector<std::string> approve;
    std::vector<std::string> only;
    std::string from;
    int parallelism = 4;
    bool dry_run = false;
    std::string state_dir;
    bool no_converge = false;
    bool allow_unconverged = false;
    bool allow_dirty = false;
    bool allow_branch = false;
    bool allow_behind = false;
    std::string changed_since;
};

void add_common(CLI::App* sub, RunArgs& a) {
    sub->fallthrough();  // global options (--json, --cli-config) may follow the verb: `run FILE -e ENV --json`
    sub->add_option("FILE", a.file, "the rollout file (YAML or JSON)")->required();
    sub->add_option("-e,--env", a.environment, "the environment to roll out")->required();
    sub->add_option("--only", a.only, "run only this stage (repeatable); the rest are skipped");
    sub->add_option("--from", a.from, "start at this stage; the ones before it are skipped");
    sub->add_option("--parallelism", a.parallelism, "stages on different roots run at once up to this many")
        ->check(CLI::Range(1, 64));
    sub->add_option("--state-dir", a.state_dir, "where the journal and plans go (default: .tfstage next to FILE)");
    sub->add_option("--changed-since", a.changed_since,
                    "only the stages whose code changed since the merge-base of REF and HEAD (plus the working tree), "
                    "and the stages that need them");
    sub->add_flag("--allow-dirty", a.allow_dirty, "run although the environment's require_clean refuses (journaled)");
    sub->add_flag("--allow-branch", a.allow_branch, "run although the environment's require_branch refuses (journaled)");
    sub->add_flag("--allow-behind", a.allow_behind, "run although the environment's require_up_to_date refuses (journaled)");
}

void execute(Context& context, const RunArgs& a, bool plan_only) {
    const rollout::Rollout rollout = rollout::load_rollout_file(a.file);
    rollout::RunOptions options = base_run_options(context);
    options.environment = a.environment;
    options.auto_approve = a.auto_approve;
    options.approve = std::set<std::string>(a.approve.begin(), a.approve.end());
    options.only = a.only;
    options.from = a.from;
    options.parallelism = a.parallelism;
    options.plan_only = plan_only || a.dry_run;
    options.converge = !a.no_converge;
    options.unconverged = a.allow_unconverged ? rollout::UnconvergedIs::warning : rollout::UnconvergedIs::failure;
    if (!a.state_dir.empty()) options.state_dir = a.state_dir;
    options.changed_since = a.changed_since;
    options.allow_dirty = a.allow_dirty;
    options.allow_branch = a.allow_branch;
    options.allow_behind = a.allow_behind;
    const auto result = rollout::run_rollout(rollout, options);
    context.exit_code = exit_code_for_status(result.status);
}

}  // namespace

void register_run(CLI::App& app, Context& context) {
    auto args = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand("run", "run a rollout: plan, gate, apply and check each stage, journaling everything");
    add_common(run, *args);
    run->add_flag("--auto-approve", args->auto_approve, "approve every gate (policies still apply)");
    run->add_option("--approve", args->approve,
                    "refused: a new run has no plan to approve yet (use `tfstage resume RUN --approve STAGE=SHA256` "
                    "once the stage waits at its gate, or `approval: auto` in the file)");
    run->add_flag("--dry-run", args->dry_run, "plan every stage and show the summaries; apply nothing");
    run->add_flag("--no-converge", args->no_converge, "skip the final untargeted plan of each root");
    run->add_flag("--allow-unconverged", args->allow_unconverged, "changes left after the rollout are a warning, not a failure");
    run->callback([&context, args] { execute(context, *args, false); });

    auto plan_args = std::make_shared<RunArgs>();
    auto* plan = app.add_subcommand("plan", "plan every stage of a rollout without applying; print the summaries");
    add_common(plan, *plan_args);
    plan->callback([&context, plan_args] { execute(context, *plan_args, true); });
}

}  // namespace tfstage::cli
