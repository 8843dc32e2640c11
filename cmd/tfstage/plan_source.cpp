#include "plan_source.hpp"

namespace tfstage::cli {

void add_plan_input_options(CLI::App* verb, PlanInputs& inputs) {
    verb->add_option("--plan", inputs.plan_file, "read this saved plan or show -json document instead of planning");
    verb->add_option("--var-file", inputs.var_files, "a .tfvars file for the plan (repeatable)");
    verb->add_option("--var", inputs.vars, "NAME=VALUE for the plan (repeatable; values are never printed)");
}

ops::PlanInputs to_ops(const PlanInputs& inputs) {
    ops::PlanInputs out;
    out.plan_file = inputs.plan_file;
    for (const auto& file : inputs.var_files) out.var_files.emplace_back(file);
    out.vars = parse_vars(inputs.vars);
    return out;
}

ops::EngineOnDemand engine_on_demand(Context& context) {
    return ops::EngineOnDemand([&context] { return context.engine(false); });
}

}  // namespace tfstage::cli
