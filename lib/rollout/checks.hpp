// A stage's health checks and its rollback steps. A stage with checks is finished only when
// they pass: `checks_pending` goes into its record before anything applies and leaves it when
// they pass, so that a resume runs them again even when there is nothing left to apply.
#pragma once

#include <string>

#include "process/process.hpp"
#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// Before a stage with checks applies anything.
void mark_checks_pending(RunContext& run, const Stage& stage);

// After the stage applied (or found an earlier attempt's checks pending): its checks, with
// ${item} the last for_each value. succeeded when they pass; otherwise the stage's error is
// journaled and it is failed, or rolled back (on_failure: rollback). Throws Error(cancelled)
// when interrupted during a check.
std::string finish_with_checks(RunContext& run, const Stage& stage, process::CancelToken& cancel,
                               const std::string& item = "");

// The stage's rollback steps, in order, until one fails: rolled_back or rollback_failed. They
// run even when the stage was stopped by its deadline; only the run's interrupt stops them.
std::string roll_back(RunContext& run, const Stage& stage);

}  // namespace tfstage::rollout
