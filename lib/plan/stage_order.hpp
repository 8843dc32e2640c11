// The skeleton of a rollout, derived from the configuration: a top-level module that refers
// to `module.vpc` (in any expression of its call, or depends_on) comes after module.vpc.
// Modules with no order between them share a group (Kahn layering).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace tfstage::plan {

struct StageOrder {
    std::vector<std::vector<std::string>> groups;           // module names, e.g. {{"vpc"}, {"kafka", "lambda"}}
    std::map<std::string, std::set<std::string>> depends_on;  // module name -> module names it uses

    // Addresses for -target: {{"module.vpc"}, {"module.kafka", ...}}.
    std::vector<std::vector<std::string>> target_groups() const;
};

// Root resources are not staged: a final full apply takes them. Throws
// Error(invalid_argument) naming the modules of a dependency cycle.
StageOrder derive_stage_order(const Configuration& configuration);

// "1. module.vpc\n2. module.kafka, module.lambda_processors\n"
std::string render_stage_order(const StageOrder& order);

}  // namespace tfstage::plan
