// A saved plan and the provenance record next to it, made the one way for every skin (the
// command's `engine plan --out`, tfs_engine_plan and so Python, a rollout's Terraform stage):
// plan into the file, then hash it and record how it was made, with the git commit, branch and
// dirty files of the configuration. An approval refers to the hash, so a plan swapped after
// review is caught; the commit says what code the plan came from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/provenance.hpp"
#include "terraform/engine.hpp"

namespace tfstage::ops {

struct ProvenanceRequest {
    // The workspace to record; "": the engine's workspace option, else the selected one.
    std::string workspace;
    // The git record to keep instead of asking the working tree (a rollback plans the files of
    // a commit, not the working tree); nullopt: git::provenance_of the root and the var files.
    std::optional<nlohmann::json> git;
};

struct SavedPlan {
    terraform::PlanResult result;
    plan::Provenance provenance;
    std::filesystem::path provenance_file;  // <plan>.provenance.json
};

// Records the provenance of the plan `options` has just saved into options.out, and writes it
// next to the plan file. Throws Error(io) when the plan or a var file cannot be hashed or the
// record cannot be written.
SavedPlan record_provenance(terraform::Engine& engine, const terraform::PlanOptions& options,
                            const ProvenanceRequest& request = {});

// Plans into options.out (which must be set: Error(invalid_argument) otherwise) and records
// the plan's provenance.
SavedPlan plan_with_provenance(terraform::Engine& engine, const terraform::PlanOptions& options,
                               const ProvenanceRequest& request = {});

}  // namespace tfstage::ops
