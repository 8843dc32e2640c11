// The executor of command stages: the stage's argv (once, or once per for_each value with the
// stage's wait between them), each result journaled with its redacted output, then the checks.
#pragma once

#include <string>

#include "process/process.hpp"
#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// The stage's final status; throws Error when a command fails, times out or is interrupted.
std::string execute_command_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel);

}  // namespace tfstage::rollout
