// The commands of a stage (its command, its checks, its rollback steps): the ${...} values
// they see, and running one in the rollout's directory under the stage's token.
#pragma once

#include <string>

#include "process/process.hpp"
#include "rollout/run_context.hpp"
#include "rollout/substitute.hpp"

namespace tfstage::rollout {

// ${env}, ${workspace}, ${item} (the for_each value, when given), ${output.NAME} (an output of
// the stage's root, read only when one of the stage's commands uses it: an engine launch) and
// ${output.STACK.KEY} (the outputs of the CDK stacks this run deployed). Sensitive outputs
// are added to the run's redactor.
Variables variables_for(RunContext& run, const Stage& stage, const std::string& item);

// Runs `spec` with `vars` substituted; relative paths are relative to the rollout file.
process::Result run_stage_command(RunContext& run, const CommandSpec& spec, const Variables& vars,
                                  process::CancelToken& cancel);

}  // namespace tfstage::rollout
