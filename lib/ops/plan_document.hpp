// Where the plan-reading operations (show, targets expand, stages suggest) get a `show -json`
// document from: a file the caller gave (a saved plan, read through the engine, or a JSON
// document), or a fresh plan of the engine's root. Big documents go through temporary files,
// never through memory twice.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "terraform/engine.hpp"

namespace tfstage::ops {

// A private temporary directory, removed with everything in it when the object goes.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// An engine made on first use: reading a JSON document needs none, so then no binary is
// looked for and no root is required.
class EngineOnDemand {
public:
    explicit EngineOnDemand(std::function<terraform::Engine()> make) : make_(std::move(make)) {}
    explicit EngineOnDemand(terraform::Engine& existing) : engine_(&existing) {}
    EngineOnDemand(const EngineOnDemand&) = delete;
    EngineOnDemand& operator=(const EngineOnDemand&) = delete;
    terraform::Engine& get() {
        if (engine_ == nullptr) engine_ = &made_.emplace(make_());
        return *engine_;
    }

private:
    std::function<terraform::Engine()> make_;
    std::optional<terraform::Engine> made_;
    terraform::Engine* engine_ = nullptr;
};

// True when the file is a JSON document (its first byte after whitespace or a BOM is '{');
// a saved plan is a zip archive. Throws Error(not_found) when the file does not exist.
bool is_json_document(const std::filesystem::path& path);

// What to read: a given plan, or a fresh plan with these variables.
struct PlanInputs {
    std::filesystem::path plan_file;  // a saved plan or a show -json document; empty: plan now
    std::vector<std::filesystem::path> var_files;
    std::vector<terraform::Variable> vars;
};

// The show -json document of `plan_file` (a saved plan or a JSON document): the file itself
// when it is JSON, else the engine's show -json of it written into `scratch`. A relative
// plan_file is taken from the current directory, not from the engine's root.
std::filesystem::path show_json_document(EngineOnDemand& engine, const std::filesystem::path& plan_file,
                                         const ScratchDir& scratch);

// The document the inputs name, or a fresh untargeted plan of the engine's root (saved in
// `scratch`, then shown). The fresh plan skips refresh: only addresses and configuration
// are read from it.
std::filesystem::path plan_document(EngineOnDemand& engine, const PlanInputs& inputs, const ScratchDir& scratch);

}  // namespace tfstage::ops
