#include "rollout/run_outcome.hpp"

#include <algorithm>

#include "rollout/journal.hpp"

namespace tfstage::rollout {
namespace {

constexpr int c_status(ErrorCode code) { return static_cast<int>(code); }

}  // namespace

const std::vector<RunOutcome>& run_outcomes() {
    namespace rs = run_status;
    static const std::vector<RunOutcome> table = {
        // A run still going on (status of a live journal) is not a failure.
        {rs::running, exit_code::ok, 0, ""},
        {rs::succeeded, exit_code::ok, 0, ""},
        {rs::failed, exit_code::failure, c_status(ErrorCode::generic), "TfstageError"},
        {rs::awaiting_approval, exit_code::awaiting_approval, c_status(ErrorCode::awaiting_approval), "AwaitingApproval"},
        {rs::policy_violation, exit_code::policy_violation, c_status(ErrorCode::policy_violation), "PolicyViolation"},
        {rs::deadline_exceeded, exit_code::deadline, c_status(ErrorCode::deadline_exceeded), "DeadlineExceeded"},
        {rs::unconverged, exit_code::unconverged, c_status(ErrorCode::unconverged), "Unconverged"},
        {rs::rolled_back, exit_code::failure, c_status(ErrorCode::generic), "TfstageError"},
        {rs::rollback_failed, exit_code::failure, c_status(ErrorCode::generic), "TfstageError"},
        {rs::interrupted, exit_code::interrupted, c_status(ErrorCode::cancelled), "Cancelled"},
    };
    return table;
}

const RunOutcome& run_outcome(std::string_view status) {
    const auto& table = run_outcomes();
    const auto found = std::find_if(table.begin(), table.end(), [&](const RunOutcome& o) { return o.status == status; });
    if (found != table.end()) return *found;
    static const RunOutcome unknown{"", exit_code::failure, c_status(ErrorCode::generic), "TfstageError"};
    return unknown;
}

}  // namespace tfstage::rollout
