// The journal of one rollout run: .tfstage/runs/<run>/journal.json, rewritten atomically
// (temp file, fsync, rename; mode 0600) after every change, so that a crash at any moment
// leaves the last complete record. `status`, `history` and `resume` read it. It never holds a
// secret: variables appear by name only, and command output is redacted before it is stored.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/time_text.hpp"

namespace tfstage::rollout {

// Run states (the `status` of a journal). Kept as text: they are part of the file format.
namespace run_status {
inline constexpr const char* running = "running";
inline constexpr const char* succeeded = "succeeded";
inline constexpr const char* failed = "failed";
inline constexpr const char* awaiting_approval = "awaiting_approval";
inline constexpr const char* policy_violation = "policy_violation";
inline constexpr const char* deadline_exceeded = "deadline_exceeded";
inline constexpr const char* unconverged = "unconverged";
inline constexpr const char* rolled_back = "rolled_back";
inline constexpr const char* rollback_failed = "rollback_failed";
inline constexpr const char* interrupted = "interrupted";
}  // namespace run_status

// Stage states.
namespace stage_status {
inline constexpr const char* pending = "pending";
inline constexpr const char* running = "running";
inline constexpr const char* awaiting_approval = "awaiting_approval";
inline constexpr const char* succeeded = "succeeded";
inline constexpr const char* no_changes = "no_changes";
inline constexpr const char* failed = "failed";
inline constexpr const char* policy_violation = "policy_violation";
inline constexpr const char* deadline_exceeded = "deadline_exceeded";
inline constexpr const char* interrupted = "interrupted";
inline constexpr const char* rolled_back = "rolled_back";
inline constexpr const char* rollback_failed = "rollback_failed";
inline constexpr const char* skipped = "skipped";  // not selected (--only / --from)
}  // namespace stage_status

// A stage that finished and need not run again when its inputs are unchanged.
bool is_done(const std::string& stage_status);


class Journal {
public:
    // A new run under state_dir/runs/<run id>/ (an id from new_run_id, or a new one).
    static Journal create(const std::filesystem::path& state_dir, nlohmann::json header, std::string run_id = "");
    // An id no run in state_dir has yet: taken before the journal exists, so that the locks a
    // run needs are held (or refused) before anything is written.
    static std::string new_run_id(const std::filesystem::path& state_dir);
    // An existing run; throws Error(not_found) with the runs that exist when it is missing.
    static Journal open(const std::filesystem::path& state_dir, const std::string& run_id);
    // The most recent run (by id, which sorts by time); nullopt when there is none.
    static std::optional<std::string> latest_run(const std::filesystem::path& state_dir);
    // run_id, or the most recent run when it is empty; throws Error(not_found) when there is
    // none, saying where runs are kept.
    static std::string run_or_latest(const std::filesystem::path& state_dir, const std::string& run_id);
    // The ids of the runs in state_dir, oldest first.
    static std::vector<std::string> run_ids(const std::filesystem::path& state_dir);
    // Every run's journal, oldest first, as readers see it (rollout/liveness.hpp: a run whose
    // process is gone shows as interrupted).
    static std::vector<nlohmann::json> history(const std::filesystem::path& state_dir);

    Journal(Journal&& other) noexcept;

    const std::string& run_id() const { return run_id_; }
    const std::filesystem::path& run_dir() const { return run_dir_; }

    // A copy of the whole document.
    nlohmann::json snapshot() const;

    // Changes the document under the journal's lock, then saves it.
    template <class Edit>
    void update(Edit&& edit) {
        std::lock_guard lock(mutex_);
        edit(document_);
        save_locked();
    }

    // The stage's object (created on first use, in stage order).
    template <class Edit>
    void update_stage(const std::string& stage, Edit&& edit) {
        update([&](nlohmann::json& doc) { edit(stage_locked(doc, stage)); });
    }
    nlohmann::json stage(const std::string& name) const;

private:
    Journal(std::filesystem::path run_dir, std::string run_id, nlohmann::json document);
    static nlohmann::json& stage_locked(nlohmann::json& doc, const std::string& name);
    void save_locked();

    std::filesystem::path run_dir_;
    std::string run_id_;
    nlohmann::json document_;
    mutable std::mutex mutex_;
};

}  // namespace tfstage::rollout
