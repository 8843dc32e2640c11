// The options of the plan-reading verbs (show, targets expand, stages suggest) that name the
// plan to read (lib/ops/plan_document.hpp), and the engine they read it through.
#pragma once

#include <string>
#include <vector>

#include "context.hpp"
#include "ops/plan_document.hpp"

namespace tfstage::cli {

// Options of the verbs that may plan the root themselves.
struct PlanInputs {
    std::string plan_file;  // --plan: a saved plan or a show -json document; empty: plan now
    std::vector<std::string> var_files;
    std::vector<std::string> vars;  // NAME=VALUE
};

void add_plan_input_options(CLI::App* verb, PlanInputs& inputs);

// The options as the operation takes them.
ops::PlanInputs to_ops(const PlanInputs& inputs);

// The -C engine, made only when a plan must be run or shown (not for a JSON document).
ops::EngineOnDemand engine_on_demand(Context& context);

}  // namespace tfstage::cli
