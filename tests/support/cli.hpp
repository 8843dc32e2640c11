// Running the `tfstage` command in end-to-end tests, and reading what it leaves: its NDJSON
// events, the journal of a run, the stages in it. Shared by every test that drives the command.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"

namespace tfstage::test {

struct Cli {
    int exit_code = -1;
    std::string out;
    std::string err;
    std::vector<nlohmann::json> events;  // the NDJSON lines of stdout (with --json)
    std::chrono::milliseconds duration{0};

    // Everything, for failure messages.
    std::string text() const { return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "\nstderr:\n" + err; }
};

// The command line of `tfstage ARGS...`, with the project's Terraform CLI config and a clean
// environment (no TF_WORKSPACE, TF_CLI_ARGS*, TFSTAGE_TERRAFORM from the caller).
process::Command tfstage_command(const std::vector<std::string>& args);

// Runs `tfstage ARGS...` to completion, with `env` set on top of the clean environment.
Cli tfstage_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

std::vector<nlohmann::json> parse_events(const std::string& out);

// The events of one type (and stage, when given).
std::vector<nlohmann::json> events_of(const Cli& cli, const std::string& type, const std::string& stage = "");
std::vector<nlohmann::json> events_of(const std::vector<nlohmann::json>& events, const std::string& type,
                                      const std::string& stage = "");

// The status of the last event when it is rollout_finished, else a description of what it was.
std::string final_status(const Cli& cli);
std::string run_id_of(const Cli& cli);

nlohmann::json read_json_file(const std::filesystem::path& path);
nlohmann::json journal_of(const std::filesystem::path& state_dir, const std::string& run);
nlohmann::json stage_record(const nlohmann::json& journal, const std::string& name);

}  // namespace tfstage::test
