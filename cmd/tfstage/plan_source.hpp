// Where the plan-reading verbs (show, targets expand, stages suggest) get a `show -json`
// document from: a file the user gave (a saved plan, read through the engine, or a JSON
// document), or a fresh plan of the -C root. Big documents go through temporary files, never
// through memory twice.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "context.hpp"

namespace tfstage::cli {

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

// True when the file is a JSON document (its first byte after whitespace or a BOM is '{');
// a saved plan is a zip archive. Throws Error(not_found) when the file does not exist.
bool is_json_document(const std::filesystem::path& path);

// Options of the verbs that may plan the root themselves.
struct PlanInputs {
    std::string plan_file;  // --plan: a saved plan or a show -json document; empty: plan now
    std::vector<std::string> var_files;
    std::vector<std::string> vars;  // NAME=VALUE
};

void add_plan_input_options(CLI::App* verb, PlanInputs& inputs);

// The show -json document of `plan_file` (a saved plan or a JSON document): the file itself
// when it is JSON, else the engine's show -json of it written into `scratch`.
std::filesystem::path show_json_document(Context& context, const std::filesystem::path& plan_file,
                                         const ScratchDir& scratch);

// The document the inputs name, or a fresh untargeted plan of the -C root (saved in
// `scratch`, then shown). The fresh plan skips refresh: only addresses and configuration
// are read from it.
std::filesystem::path plan_document(Context& context, const PlanInputs& inputs, const ScratchDir& scratch);

}  // namespace tfstage::cli
