// Git provenance of a rollout and the environment's git guards (require_clean,
// require_branch, require_up_to_date), with the overrides a person may give on the command
// line (--allow-dirty, --allow-branch, --allow-behind). A refusal names exactly the files or
// the commits that are the problem; an override turns it into a warning that is journaled.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "git/git.hpp"
#include "rollout/model.hpp"

namespace tfstage::rollout {

struct GuardOverrides {
    bool allow_dirty = false;   // require_clean
    bool allow_branch = false;  // require_branch
    bool allow_behind = false;  // require_up_to_date
};

struct GuardResult {
    std::vector<std::string> refusals;            // one message per guard that refuses
    nlohmann::json warnings = nlohmann::json::array();  // overridden guards: {guard, override, message}
};

// The provenance of the rollout's configuration in one environment: the repository holding
// its first root (or the rollout file), with modified and untracked files listed when they are
// under any root of the environment, are one of its var files, or are the rollout file.
// nullopt outside a repository.
std::optional<git::Provenance> rollout_provenance(const Rollout& rollout, const Environment& environment);

// What the guards say about a provenance (nullopt: not in a repository; any guard then refuses).
GuardResult evaluate_guards(const GitGuards& guards, const std::optional<git::Provenance>& provenance,
                            const GuardOverrides& overrides);

}  // namespace tfstage::rollout
