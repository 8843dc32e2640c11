// A run's status from its stages' final statuses. The most serious outcome wins: an interrupt
// or a passed deadline, then a failed rollback, a rollback, a failure, a policy violation, a
// gate waiting for approval; a stage left pending or running means the run did not finish.
#pragma once

#include <map>
#include <string>

namespace tfstage::rollout {

// interrupted: the run's token was cancelled (by a person, not the deadline);
// deadline_hit: the rollout's deadline passed.
std::string run_status_of(const std::map<std::string, std::string>& stage_statuses, bool interrupted, bool deadline_hit);

}  // namespace tfstage::rollout
