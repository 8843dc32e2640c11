#include "handles.hpp"

#include <system_error>

namespace tfstage::capi {

Registry<tfs_engine>& engines() {
    static auto* registry = new Registry<tfs_engine>("tfs_engine");
    return *registry;
}
Registry<tfs_plan>& plans() {
    static auto* registry = new Registry<tfs_plan>("tfs_plan");
    return *registry;
}
Registry<tfs_rollout>& rollouts() {
    static auto* registry = new Registry<tfs_rollout>("tfs_rollout");
    return *registry;
}
Registry<tfs_run>& runs() {
    static auto* registry = new Registry<tfs_run>("tfs_run");
    return *registry;
}

}  // namespace tfstage::capi

tfs_plan::~tfs_plan() {
    if (!owns_plan_file) return;
    std::error_code ignored;  // best effort: a leftover plan file is not worth a crash
    std::filesystem::remove(plan_file, ignored);
    std::filesystem::remove(tfstage::plan::provenance_path(plan_file), ignored);
}
