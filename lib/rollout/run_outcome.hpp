// What a run's final status means to each skin, in one table: the command's exit code, the C
// ABI's status code (tfs_run_outcome) and the Python exception (Run.raise_for_outcome). The
// command, lib/capi and the Python tests all read it, so "unconverged" cannot be exit 6 in one
// place and a generic failure in another.
#pragma once

#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace tfstage::rollout {

// The command's exit codes (README.md, "Exit codes").
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int failure = 1;
inline constexpr int usage = 2;
inline constexpr int awaiting_approval = 3;
inline constexpr int policy_violation = 4;
inline constexpr int deadline = 5;
inline constexpr int unconverged = 6;
inline constexpr int interrupted = 130;
}  // namespace exit_code

struct RunOutcome {
    std::string_view status;             // the journal's word (run_status::...)
    int exit_code;                       // the command's exit code
    int c_status;                        // the tfs_status (0: TFS_OK); the values of ErrorCode
    std::string_view python_exception;   // the class Run.raise_for_outcome raises; "" for none
};

// Every run status, in the order of run_status.
const std::vector<RunOutcome>& run_outcomes();

// The outcome of a status; a word not in the table (a newer journal) is a failure.
const RunOutcome& run_outcome(std::string_view status);

}  // namespace tfstage::rollout
