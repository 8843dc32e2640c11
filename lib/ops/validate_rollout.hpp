// `tfstage validate FILE` and tfs_rollout_validate: every problem of a rollout file at once,
// as one document. An invalid file is a result, not an error.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "rollout/model.hpp"

namespace tfstage::ops {

struct RolloutValidation {
    std::filesystem::path file;
    std::optional<rollout::Rollout> rollout;  // set when the file is valid
    std::vector<rollout::Problem> problems;   // empty when it is valid

    bool valid() const { return rollout.has_value(); }
    // {"schema_version":1,"file","valid","problems":[diagnostics: rollout::to_diagnostic]}, plus
    // "stages" and "environments" (counts) for a valid file.
    nlohmann::json to_json() const;
};

// Throws Error(not_found) when the file cannot be opened (as loading it does).
RolloutValidation validate_rollout_file(const std::filesystem::path& file);

}  // namespace tfstage::ops
