// Approvals bound to what a person saw. `--approve STAGE` approves the plan now awaiting
// approval for STAGE in a stopped run; `--approve STAGE=SHA256` (the whole hash or a prefix of
// at least 8 hex digits, as the awaiting-approval hint prints it) also says which plan. Either
// is refused when the stage has no plan awaiting approval, or when the plan awaiting is not the
// one named. An approval never carries over to a plan made later: that plan waits at its gate
// again. Approving plans before they exist is a rule of the rollout file (`approval: auto`) or
// the run's explicit --auto-approve, never a side effect of --approve.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace tfstage::rollout {

struct ApprovalRequest {
    std::string stage;
    std::string sha256_prefix;  // "" when only the stage was named
};

// "STAGE" or "STAGE=HEX"; throws Error(invalid_argument) for a malformed hash.
ApprovalRequest parse_approval(const std::string& text);

// The approvals given to a resume, checked against the run's journal before anything is
// written: stage -> the full sha256 of the awaiting plan each approves. Throws
// Error(invalid_argument) naming the stage's status, or the hash awaiting when it differs.
std::map<std::string, std::string> bind_approvals(const std::set<std::string>& requests, const nlohmann::json& journal);

// The rejections recorded in a journal (a person answered "no" at a gate):
// [{"stage", "by", "at", "plan_sha256"}].
nlohmann::json rejections_of(const nlohmann::json& journal);

// The message of the warning a later run gives about a rejection in run `run`.
std::string rejection_warning(const std::string& run, const nlohmann::json& rejection);

// The warnings a new run gives about the rejections in the latest earlier run of its rollout
// file and environment in state_dir: [{"warning": "rejected_before", "run", "stage",
// "message"}]. Runs are read newest first, only as far as that run.
nlohmann::json rejected_before(const std::filesystem::path& state_dir, const nlohmann::json& new_run);

}  // namespace tfstage::rollout
