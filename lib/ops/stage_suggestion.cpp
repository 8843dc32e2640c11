#include "ops/stage_suggestion.hpp"

#include "plan/plan.hpp"
#include "tfstage/common.h"

namespace tfstage::ops {

plan::StageOrder suggest_stages(EngineOnDemand& engine, const PlanInputs& inputs) {
    ScratchDir scratch;
    const auto plan = plan::parse_plan_file(plan_document(engine, inputs, scratch));
    return plan::derive_stage_order(plan.configuration);
}

nlohmann::json to_json(const plan::StageOrder& order) {
    nlohmann::json depends_on = nlohmann::json::object();
    for (const auto& [module, uses] : order.depends_on) depends_on[module] = uses;
    return {{"schema_version", TFS_SCHEMA_VERSION},
            {"groups", order.groups},
            {"targets", order.target_groups()},
            {"depends_on", depends_on}};
}

}  // namespace tfstage::ops
