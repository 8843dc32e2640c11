// `tfstage stages suggest` and tfs_engine_stages_suggest: the skeleton of a rollout, derived
// from the root's configuration. A top-level module that uses module.vpc comes after
// module.vpc; modules with no order between them share a stage.
#pragma once

#include <nlohmann/json.hpp>

#include "ops/plan_document.hpp"
#include "plan/stage_order.hpp"

namespace tfstage::ops {

// The stage order of the configuration in the inputs' plan (a fresh plan of the root when
// they name none).
plan::StageOrder suggest_stages(EngineOnDemand& engine, const PlanInputs& inputs);

// {"schema_version":1,"groups":[[module,...],...],"targets":[[address,...],...],
//  "depends_on":{module:[modules it uses]}}
nlohmann::json to_json(const plan::StageOrder& order);

}  // namespace tfstage::ops
