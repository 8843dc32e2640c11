#include "ops/validate_rollout.hpp"

#include "rollout/rollout_file.hpp"
#include "support/diagnostic_json.hpp"
#include "tfstage/common.h"

namespace tfstage::ops {

nlohmann::json RolloutValidation::to_json() const {
    nlohmann::json problems_json = nlohmann::json::array();
    for (const auto& problem : problems) problems_json.push_back(tfstage::to_json(rollout::to_diagnostic(problem)));
    nlohmann::json out{{"schema_version", TFS_SCHEMA_VERSION}, {"file", file.string()}, {"valid", valid()},
                       {"problems", problems_json}};
    if (rollout) {
        out["stages"] = rollout->stages.size();
        out["environments"] = rollout->environments.size();
    }
    return out;
}

RolloutValidation validate_rollout_file(const std::filesystem::path& file) {
    RolloutValidation out;
    out.file = file;
    try {
        out.rollout = rollout::load_rollout_file(file);
    } catch (const rollout::ValidationError& e) {
        out.problems = e.problems();
    }
    return out;
}

}  // namespace tfstage::ops
