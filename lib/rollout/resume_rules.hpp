// Which stages a run starts with: the selection (--only, --from, --changed-since; the others
// are skipped) and, on resume, the rule that a finished stage is never run again while its
// fingerprint (rollout/stage_inputs.hpp) is unchanged. A finished CDK stage is reused only if
// its stacks' templates, synthesized anew, are the ones it deployed: decided when it is ready.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rollout/run_context.hpp"

namespace tfstage::rollout {

struct StageSelection {
    std::vector<std::string> order;  // stage names, dependencies first
    std::map<std::string, std::vector<std::string>> needs;
    // Each stage's status as the run starts: pending, skipped, or the final status of a
    // finished stage that is not run again.
    std::map<std::string, std::string> initial;
    std::set<std::string> reuse_if_templates_unchanged;  // finished CDK stages, decided when ready
};

// previous_stages: the journal's stage records before a resume (empty for a new run); they
// also become run.previous. Skipped stages are journaled as such; the selection by change is
// journaled and emitted; reused stages are emitted as stage_reused.
StageSelection select_stages(RunContext& run, const nlohmann::json& previous_stages);

// For a stage in reuse_if_templates_unchanged, once its needs are settled: its earlier status
// when its templates are unchanged (stage_reused), nullopt to run it (stage_changed).
std::optional<std::string> reuse_when_ready(RunContext& run, StageSelection& selection, const Stage& stage);

}  // namespace tfstage::rollout
