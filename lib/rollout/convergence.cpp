#include "rollout/convergence.hpp"

#include "plan/summary.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// The configuration as the rollout leaves a root: the environment's vars, then each of its
// stages' in order (a scaling stage's -var is the desired end state).
std::map<std::string, std::string> final_vars(const RunContext& run, const std::string& root_key) {
    std::map<std::string, std::string> vars = run.environment.vars;
    for (const auto& stage : run.rollout.stages)
        if (uses_terraform(stage) && run.root_of(stage).key() == root_key)
            for (const auto& [name, value] : stage.vars) vars[name] = value;
    return vars;
}

}  // namespace

bool converge(RunContext& run) {
    std::map<std::string, const Stage*> roots;  // one stage per root and workspace stands for it
    for (const auto& stage : run.rollout.stages)
        if (uses_terraform(stage)) roots.emplace(run.root_of(stage).key(), &stage);
    json result = json::array();
    bool converged = true;
    for (const auto& [key, stage] : roots) {
        if (run.options.cancel->cancelled()) break;
        terraform::Engine engine = run.engine_for(*stage, *run.options.cancel);  // an interrupt stops it
        terraform::PlanOptions plan_options;
        for (const auto& [name, value] : final_vars(run, key)) plan_options.vars.push_back({name, value});
        plan_options.var_files = run.environment.var_files;
        const fs::path plan_file = run.journal.run_dir() / "plans" / "converge.tfplan";
        plan_options.out = plan_file;
        const auto planned = engine.plan(plan_options);
        json addresses = json::array();
        if (planned.changes_present) {
            converged = false;
            const fs::path shown = run.journal.run_dir() / "plans" / "converge.plan.json";
            engine.show_json(plan_file, shown);
            for (const auto& change : plan::summarise_file(shown).changes)
                if (change.kind != plan::ChangeKind::no_op && change.kind != plan::ChangeKind::read)
                    addresses.push_back(change.address);
            fs::remove(shown);
        }
        fs::remove(plan_file);
        const RootWorkspace where = run.root_of(*stage);
        result.push_back({{"root", where.dir.string()},
                          {"workspace", where.workspace},
                          {"changes_present", planned.changes_present},
                          {"addresses", addresses},
                          {"engine_launches", engine.launches()}});
    }
    const json convergence{{"status", converged ? "converged" : "unconverged"}, {"roots", result}};
    run.journal.update([&](json& doc) { doc["convergence"] = convergence; });
    run.emit("convergence", "", convergence);
    return converged;
}

}  // namespace tfstage::rollout
