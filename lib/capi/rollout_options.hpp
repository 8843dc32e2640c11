// Rollout run requests (JSON) into rollout::RunOptions. Stage names are checked against the
// loaded file (TFS_EINVAL for an unknown one, as the runner and the command say).
#pragma once

#include "handles.hpp"
#include "rollout/runner.hpp"

namespace tfstage::capi {

// Options of kind "run". `environment_required`: a run needs one; a resume takes it from the journal.
rollout::RunOptions run_options(const rollout::Rollout& rollout, const char* options_json, bool environment_required);

// Options of kind "rollback" (tfs_rollout_rollback).
rollout::RunOptions rollback_options(const rollout::Rollout& rollout, const char* options_json);

}  // namespace tfstage::capi
