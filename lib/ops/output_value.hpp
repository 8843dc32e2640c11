// One output's value as plain text (`terraform output -raw NAME`, `tfstage engine output NAME
// --raw`, tfs_engine_output_raw), for scripts and checks. A sensitive value is given only when
// asked for: a secret never appears by accident.
#pragma once

#include <string>

#include "terraform/engine.hpp"

namespace tfstage::ops {

// Throws Error(not_found) when the root has no output `name`, Error(invalid_argument) when it
// is sensitive and reveal_sensitive is false, EngineError when the engine cannot print it raw
// (a list or map).
std::string output_raw(terraform::Engine& engine, const std::string& name, bool reveal_sensitive);

}  // namespace tfstage::ops
