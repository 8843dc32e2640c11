// The results of single engine commands as JSON, one shape for the command's --json and C.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "terraform/engine.hpp"

namespace tfstage::ops {

// {"add","change","remove","import","forget"} (zeros when the engine printed no summary).
nlohmann::json change_counts(const std::optional<terraform::ChangeSummary>& summary);

// `validate -json`: {"schema_version":1,"valid","error_count","warning_count","diagnostics"}.
nlohmann::json validate_document(const terraform::ValidateResult& result);

}  // namespace tfstage::ops
