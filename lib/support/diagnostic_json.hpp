// Diagnostics as JSON, in the one shape every skin prints them (tfs_error's diagnostics_json,
// `validate -json` results, rollout file problems): {"severity","summary","detail","filename",
// "line","column","address"}.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace tfstage {

nlohmann::json to_json(const Diagnostic& diagnostic);
nlohmann::json to_json(const std::vector<Diagnostic>& diagnostics);  // an array

}  // namespace tfstage
