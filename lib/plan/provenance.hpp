// Provenance of a saved plan: a record written next to it (`<plan>.provenance.json`) that says
// what the plan file is (its sha256) and how it was made (engine, directory, workspace,
// targets, var files). An approval refers to the hash, so a plan replaced after review is
// caught before it is applied. -var values are never recorded: they may be secrets.
//
//   {"schema_version": 1, "plan_file": "/abs/prod.plan", "plan_sha256": "ab12...",
//    "engine": {"flavour": "terraform", "version": "1.11.4", "binary": "/usr/bin/terraform"},
//    "working_dir": "/abs/root", "workspace": "prod", "targets": ["module.vpc"], "excludes": [],
//    "var_files": [{"path": "/abs/root/environments/prod.tfvars", "sha256": "cd34..."}],
//    "created_at": "2025-06-01T12:00:00.123Z",
//    "git": {"repository": "/abs", "commit": "0123...", "branch": "main", "detached": false,
//            "dirty": true, "modified": ["infra/main.tf"], "untracked": [], "upstream": "origin/main",
//            "ahead": 0, "behind": 0}}     (git is null outside a repository)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfstage::plan {

// sha256 of a file's bytes, lowercase hex. Reads in chunks, so plans of any size are fine.
// Throws Error(io) naming the path.
std::string sha256_file(const std::filesystem::path& path);

struct EngineRecord {
    std::string flavour;  // "terraform" or "opentofu"
    std::string version;  // "1.11.4"
    std::string binary;   // the path that was run
    bool operator==(const EngineRecord&) const = default;
};

struct VarFileRecord {
    std::string path;  // absolute
    std::string sha256;
    bool operator==(const VarFileRecord&) const = default;
};

struct Provenance {
    static constexpr int current_schema_version = 1;

    int schema_version = current_schema_version;
    std::string plan_file;  // absolute
    std::string plan_sha256;
    EngineRecord engine;
    std::string working_dir;  // absolute
    std::string workspace;
    std::vector<std::string> targets;
    std::vector<std::string> excludes;
    std::vector<VarFileRecord> var_files;
    std::string created_at;          // UTC ISO-8601, e.g. 2025-06-01T12:00:00.123Z
    nlohmann::json git = nullptr;    // git::to_json of the working dir's provenance; null outside a repository
    bool operator==(const Provenance&) const = default;
};

// What the caller knows when a plan has just been saved. Relative paths are taken from the
// current directory (as the engine does).
struct ProvenanceInput {
    std::filesystem::path plan_file;
    EngineRecord engine;
    std::filesystem::path working_dir;
    std::string workspace;
    std::vector<std::string> targets;
    std::vector<std::string> excludes;
    std::vector<std::filesystem::path> var_files;
};

// Hashes the plan file and the var files now and stamps the current time. Throws Error(io)
// when one of them cannot be read.
Provenance make_provenance(const ProvenanceInput& input);

// Where the record of a plan file lives: "<plan>.provenance.json".
std::filesystem::path provenance_path(const std::filesystem::path& plan_file);

nlohmann::json to_json(const Provenance& provenance);
// Throws Error(parse_error) naming the key that is missing or of the wrong type, and
// Error(unsupported) for a schema_version other than 1.
Provenance provenance_from_json(const nlohmann::json& document);

// Atomic (temp file, fsync, rename), mode 0600. Throws Error(io).
void write_provenance(const Provenance& provenance, const std::filesystem::path& path);
// Throws Error(not_found) when there is no record, Error(parse_error) naming the file and the
// key for a malformed one, Error(unsupported) for an unknown schema_version.
Provenance read_provenance(const std::filesystem::path& path);

// True when `plan_file` exists and its sha256 is the recorded one.
bool matches(const Provenance& provenance, const std::filesystem::path& plan_file);

}  // namespace tfstage::plan
