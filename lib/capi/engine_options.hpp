// Engine requests (JSON) into the core's option structs. Addresses are checked before
// anything runs; relative paths are taken from the root module (where the engine runs).
#pragma once

#include "handles.hpp"
#include "json_request.hpp"
#include "ops/plan_document.hpp"

namespace tfstage::capi {

terraform::EngineOptions engine_options(const char* root_dir, const char* options_json);
terraform::InitOptions init_options(const char* options_json);
terraform::PlanOptions plan_options(const char* options_json, const std::filesystem::path& root);
terraform::ApplyOptions destroy_options(const char* options_json, const std::filesystem::path& root);
// Options of kind "plan_source" (stages suggest, targets expand). "plan" and "var_files" are
// taken from the current directory, as the command takes them.
ops::PlanInputs plan_source_options(const char* options_json);

// A saved plan file named by the caller (relative: from the current directory). Throws
// Error(not_found) when it is missing or a directory.
std::filesystem::path saved_plan_path(const char* plan_file);

}  // namespace tfstage::capi
