// The executor of apply and destroy stages: plan into a saved plan file (mode 0600), read its
// model, write its provenance, apply the policies, pass the gate, apply exactly that plan (its
// sha256 checked again), then the checks. On resume, a stage that waited at its gate and is
// now approved applies the plan that was shown, not a new one.
#pragma once

#include <string>

#include "process/process.hpp"
#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// The stage's final status (a stage_status value); throws Error when the engine fails.
std::string execute_terraform_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel);

}  // namespace tfstage::rollout
