#include "rollout/root_workspace.hpp"

namespace tfstage::rollout {

RootWorkspace root_workspace_of(const Rollout& rollout, const Environment& environment, const Stage& stage) {
    const Root* root = stage.root.empty() ? (rollout.roots.size() == 1 ? &rollout.roots.front() : nullptr)
                                          : rollout.find_root(stage.root);
    if (root == nullptr)
        throw Error(ErrorCode::invalid_argument, "stage '" + stage.name + "' names no root and the file has several");
    RootWorkspace where;
    where.dir = environment.directory.empty() ? root->path : root->path / environment.directory;
    where.workspace = environment.workspace.empty() ? "default" : environment.workspace;
    where.engine = root->engine;
    return where;
}

}  // namespace tfstage::rollout
