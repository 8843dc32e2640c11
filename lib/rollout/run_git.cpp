#include "rollout/run_git.hpp"

#include "git/git.hpp"
#include "rollout/guards.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {

void record_git_and_check_guards(RunContext& run) {
    json record = nullptr;
    GuardResult guards;
    if (run.options.git) {
        record = *run.options.git;  // a rollback's commit: the working tree is not what runs
    } else {
        const std::optional<git::Provenance> provenance = rollout_provenance(run.rollout, run.environment);
        if (provenance) record = git::to_json(*provenance);
        const RunOptions& o = run.options;
        guards = evaluate_guards(run.environment.git, provenance, {o.allow_dirty, o.allow_branch, o.allow_behind});
        if (o.plan_only) {
            for (const auto& refusal : guards.refusals)
                guards.warnings.push_back({{"guard", refusal.substr(0, refusal.find(':'))}, {"override", "plan"}, {"message", refusal}});
            guards.refusals.clear();
        }
    }
    run.journal.update([&](json& doc) {
        // A resumed run keeps the provenance it started with; the resume records its own.
        if (doc.contains("git") && doc.contains("resumed") && doc["resumed"].is_array() && !doc["resumed"].empty())
            doc["resumed"].back()["git"] = record;
        else
            doc["git"] = record;
        for (const auto& warning : guards.warnings) doc["warnings"].push_back(warning);
    });
    for (const auto& warning : guards.warnings) run.emit("warning", "", warning);
    if (!guards.refusals.empty()) {
        std::string message = "the git guards of environment '" + run.environment.name + "' refuse this run:";
        for (const auto& refusal : guards.refusals) message += "\n  " + refusal;
        throw Error(ErrorCode::policy_violation, message);
    }
}

}  // namespace tfstage::rollout
