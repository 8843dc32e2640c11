// A run's git record: the provenance of the rollout's working tree goes into the journal (a
// resume records its own under `resumed`), then the environment's guards decide. An
// overridden guard (--allow-dirty, --allow-branch, --allow-behind) becomes a warning; in
// `tfstage plan`, which changes nothing, every guard only warns.
#pragma once

#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// Throws Error(policy_violation) listing each guard that refuses the run.
void record_git_and_check_guards(RunContext& run);

}  // namespace tfstage::rollout
