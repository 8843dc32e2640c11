#include "rollout/run_status.hpp"

#include <set>

#include "rollout/journal.hpp"

namespace tfstage::rollout {

std::string run_status_of(const std::map<std::string, std::string>& stage_statuses, bool interrupted, bool deadline_hit) {
    if (interrupted && !deadline_hit) return run_status::interrupted;
    std::set<std::string> seen;
    for (const auto& [name, status] : stage_statuses) seen.insert(status);
    if (deadline_hit || seen.count(stage_status::deadline_exceeded)) return run_status::deadline_exceeded;
    if (seen.count(stage_status::interrupted)) return run_status::interrupted;
    if (seen.count(stage_status::rollback_failed)) return run_status::rollback_failed;
    if (seen.count(stage_status::rolled_back)) return run_status::rolled_back;
    if (seen.count(stage_status::failed)) return run_status::failed;
    if (seen.count(stage_status::policy_violation)) return run_status::policy_violation;
    if (seen.count(stage_status::awaiting_approval)) return run_status::awaiting_approval;
    if (seen.count(stage_status::pending) || seen.count(stage_status::running)) return run_status::failed;
    return run_status::succeeded;
}

}  // namespace tfstage::rollout
