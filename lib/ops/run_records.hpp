// What the journals of a state directory say (`tfstage status` and `history`,
// tfs_rollout_status and tfs_rollout_history, tfs_run_journal): one document per question,
// the same from the command's --json and from C.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfstage::ops {

// A journal as handed out: the document the journal holds, with "schema_version" added.
nlohmann::json with_schema_version(nlohmann::json journal);

// A run's journal as observed now (a run whose process is gone shows as interrupted), the
// latest run when run_id is "". Throws Error(not_found) when there is no such run.
nlohmann::json run_status(const std::filesystem::path& state_dir, const std::string& run_id);

// One line of the history: {"run","kind","environment","status","started_at","finished_at","git"}.
nlohmann::json history_entry(const nlohmann::json& journal);

// Every run, oldest first; none when the state directory does not exist. A journal that cannot
// be read is listed with status "unreadable".
std::vector<nlohmann::json> history(const std::filesystem::path& state_dir);

}  // namespace tfstage::ops
