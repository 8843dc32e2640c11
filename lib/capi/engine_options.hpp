// Engine requests (JSON) into the core's option structs. Addresses are checked before
// anything runs; relative paths are taken from the root module (where the engine runs).
#pragma once

#include "handles.hpp"
#include "json_request.hpp"

namespace tfstage::capi {

terraform::EngineOptions engine_options(const char* root_dir, const char* options_json);
terraform::InitOptions init_options(const char* options_json);
terraform::PlanOptions plan_options(const char* options_json, const std::filesystem::path& root);
terraform::ApplyOptions destroy_options(const char* options_json, const std::filesystem::path& root);

}  // namespace tfstage::capi
