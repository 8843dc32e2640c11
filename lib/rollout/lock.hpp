// A local lock per root directory and workspace, so that a second rollout on the same state
// is refused at once (with the holder's run id and pid) instead of queueing behind Terraform's
// state lock halfway through. A lock whose process is gone is taken over.
#pragma once

#include <filesystem>
#include <string>

namespace tfstage::rollout {

class RolloutLock {
public:
    // Throws Error(state_locked) naming the holder's run, pid and host.
    RolloutLock(const std::filesystem::path& lock_dir, const std::filesystem::path& root_dir,
                const std::string& workspace, const std::string& run_id);
    ~RolloutLock();
    RolloutLock(const RolloutLock&) = delete;
    RolloutLock& operator=(const RolloutLock&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace tfstage::rollout
