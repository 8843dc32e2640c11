// Convergence: after every stage succeeded, an untargeted plan of each root with the values
// the rollout leaves it with. Anything left to change means the stages did not cover the whole
// configuration (or someone changed the infrastructure meanwhile): journaled with the
// addresses, and the run is `unconverged` unless the options make it a warning.
#pragma once

#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// Journals {"convergence": {"status": "converged"|"unconverged", "roots": [...]}} and emits
// the convergence event; returns whether every root converged. Throws Error when a plan fails.
bool converge(RunContext& run);

}  // namespace tfstage::rollout
