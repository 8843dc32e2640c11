// Where a Terraform stage runs: a root module's directory in the chosen environment, and the
// workspace there. (A stage's `targets` are -target addresses; this is not one of them.)
#pragma once

#include <filesystem>
#include <string>

#include "rollout/model.hpp"

namespace tfstage::rollout {

struct RootWorkspace {
    std::filesystem::path dir;  // <root>, or <root>/<environment's directory>
    std::string workspace;      // "default" when the environment names none
    std::string engine;         // the terraform/tofu binary; "" for discovery

    // Stages with the same key share one state and its lock.
    std::string key() const { return dir.string() + "\n" + workspace; }
};

// The stage's root (its own, or the file's only one) in the environment; throws
// Error(invalid_argument) when the stage names none and the file has several.
RootWorkspace root_workspace_of(const Rollout& rollout, const Environment& environment, const Stage& stage);

}  // namespace tfstage::rollout
