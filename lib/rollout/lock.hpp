// A local lock per root directory and workspace, so that a second rollout on the same state
// is refused at once (with the holder's run id and pid) instead of queueing behind Terraform's
// state lock halfway through. A lock whose process is gone is taken over.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "rollout/model.hpp"

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

using Locks = std::vector<std::unique_ptr<RolloutLock>>;

// One lock per root and workspace the rollout's Terraform stages use in the environment, kept
// next to Terraform's own data (<root>/.terraform/tfstage-locks) so that any rollout file or
// state directory sees it. Taken before a run writes anything: a second rollout is refused
// now, not halfway, and leaves no journal behind (nor anything in the live run's).
Locks lock_roots(const Rollout& rollout, const std::string& environment_name, const std::string& run_id);

}  // namespace tfstage::rollout
