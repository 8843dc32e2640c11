// `tfstage targets expand` and tfs_engine_targets_expand: the concrete addresses a pattern
// (`module.*.aws_sns_topic.*`) or a bare type (`aws_security_group`, which Terraform rejects as
// a -target) selects. Known addresses are those of the state plus those an untargeted plan
// would touch, so resources not created yet count too.
#pragma once

#include <set>
#include <string>

#include "ops/plan_document.hpp"

namespace tfstage::ops {

struct TargetExpansion {
    std::set<std::string> selected;  // sorted; empty when nothing matches
    std::size_t known = 0;           // how many addresses were known
};

// Throws Error(parse_error) for a bad pattern before anything runs.
TargetExpansion expand_targets(EngineOnDemand& engine, const std::string& pattern, const PlanInputs& inputs);

}  // namespace tfstage::ops
