// Rollout run requests (JSON) into rollout::RunOptions. Stage names are checked against the
// loaded file (TFS_ENOTFOUND for an unknown one).
#pragma once

#include "handles.hpp"
#include "rollout/runner.hpp"

namespace tfstage::capi {

// `environment_required`: a run needs one; a resume takes it from the journal.
rollout::RunOptions run_options(const rollout::Rollout& rollout, const char* options_json, bool environment_required);

}  // namespace tfstage::capi
