// The executor of cdk stages: synth (when asked), `cdk diff` as the preview a person reviews at
// the gate (a destroy lists the stacks it deletes), then the stacks wave after wave in the
// assembly's dependency order (independent ones together, with the stage's concurrency), then
// the checks. Each phase's time, each stack's span and the CLI's whole output (redacted, 0600)
// are kept with the run.
#pragma once

#include <string>

#include "process/process.hpp"
#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// The stage's final status; throws Error (cdk::CdkError with the stacks' results) on failure.
std::string execute_cdk_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel);

}  // namespace tfstage::rollout
