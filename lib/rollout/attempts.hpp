// Every attempt of a stage stays in its journal record. When a stage starts again (a resume, a
// retry after a failure or a kill), what the earlier attempt did is moved into the record's
// `attempts` array — what it planned, what it applied, its checks, how it ended — so that
// `status` can show that a killed attempt created four resources even when the next attempt
// found nothing left to do.
#pragma once

#include <nlohmann/json.hpp>

namespace tfstage::rollout {

// Moves the current attempt of a stage record (if it started) into record["attempts"] and
// clears its per-attempt keys; record["attempt"] becomes the number of the attempt to come.
// An attempt still `running` belonged to a process that is gone: it is kept as `interrupted`.
void archive_attempt(nlohmann::json& record);

}  // namespace tfstage::rollout
