// Selecting stages by what changed (`--changed-since REF`): the files that differ between the
// merge-base of REF and HEAD and the working tree (staged, unstaged, untracked, renamed), set
// against each stage's code:
//   - the root module's own files (*.tf, *.tf.json, *.tfvars, *.tfvars.json, .terraform.lock.hcl)
//     and the environment's var files;
//   - the local module source directories of the modules the stage targets (every local
//     module of the root for an untargeted stage), followed through nested local modules;
//   - the paths listed under the stage's `watch`.
// Stages that name a selected stage in their written `needs` are selected too (transitively).
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rollout/model.hpp"

namespace tfstage::rollout {

struct StageChoice {
    std::string stage;
    bool selected = false;
    std::vector<std::string> reasons;  // why it was selected; empty when it was not
};

struct ChangeSelection {
    std::string ref;          // as given
    std::string ref_commit;   // what it resolved to
    std::string head_commit;
    std::string merge_base;
    std::string repository;
    std::vector<std::string> changed;  // paths relative to the repository
    std::vector<StageChoice> stages;   // in file order

    std::set<std::string> selected() const;
    nlohmann::json to_json() const;
};

// Throws Error(invalid_argument) when the rollout is not in a git repository or REF is unknown.
ChangeSelection select_changed_stages(const Rollout& rollout, const Environment& environment, const std::string& ref);

// The same checks as select_changed_stages, without the diff: for refusing a bad REF before a
// run is journaled.
void check_changed_since(const Rollout& rollout, const std::string& ref);

// The local module directories (absolute) reached from `root_dir` by its module calls: for
// every call when `targets` is empty, else for the calls the targets name (module.NAME...).
// Nested local module calls are followed. Registry and remote sources are not code of this
// repository and are left out.
std::vector<std::filesystem::path> local_module_dirs(const std::filesystem::path& root_dir,
                                                     const std::vector<std::string>& targets);

// The configuration files (*.tf, *.tf.json) a stage on `root_dir` with `targets` applies: the
// root's own and those of its local_module_dirs, in a stable order.
std::vector<std::filesystem::path> configuration_files(const std::filesystem::path& root_dir,
                                                       const std::vector<std::string>& targets);

}  // namespace tfstage::rollout
