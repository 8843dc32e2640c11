#include "ops/run_records.hpp"

#include "rollout/journal.hpp"
#include "rollout/liveness.hpp"
#include "tfstage/common.h"

namespace tfstage::ops {
namespace fs = std::filesystem;
using json = nlohmann::json;

json with_schema_version(json journal) {
    if (journal.is_object() && !journal.contains("schema_version")) journal["schema_version"] = TFS_SCHEMA_VERSION;
    return journal;
}

json run_status(const fs::path& state_dir, const std::string& run_id) {
    const std::string id = rollout::Journal::run_or_latest(state_dir, run_id);
    return with_schema_version(rollout::observed(rollout::Journal::open(state_dir, id).snapshot()));
}

json history_entry(const json& run) {
    return {{"run", run.value("run", "")},
            {"kind", run.value("kind", "run")},
            {"environment", run.value("environment", "")},
            {"status", run.value("status", "")},
            {"started_at", run.value("started_at", "")},
            {"finished_at", run.value("finished_at", "")},
            {"git", run.value("git", json())}};
}

std::vector<json> history(const fs::path& state_dir) {
    std::vector<json> out;
    std::error_code ec;
    if (!fs::is_directory(state_dir, ec)) return out;
    for (const auto& run : rollout::Journal::history(state_dir)) out.push_back(history_entry(run));
    return out;
}

}  // namespace tfstage::ops
