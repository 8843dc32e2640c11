// Why ${output.NAME} has no value (issue 11, item 7). A targeted apply writes to the state only
// the outputs of what it targeted, so an output the configuration declares can be missing from
// the state: "unknown placeholder" would send the user looking for a typo that is not there.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rollout/substitute.hpp"

namespace tfstage::rollout {

// Where the root module in `root_dir` declares `output "NAME"` ("main.tf:12"), if it does
// (*.tf and *.tf.json files of that directory).
std::optional<std::string> output_declaration(const std::filesystem::path& root_dir, const std::string& name);

// The message for ${output.NAME} when NAME is not among `outputs` (output -json of root_dir in
// workspace): what is missing and where, why (the declaration exists: targeting) and what to do,
// or the outputs there are.
std::string missing_output_message(const std::string& name, const std::filesystem::path& root_dir,
                                   const std::string& workspace, const nlohmann::json& outputs);

// For every NAME in `wanted` (output names used as ${output.NAME}) that `outputs` lacks: its
// missing_output_message under missing_key("output.NAME") in `vars`, which substitute() reports.
void explain_missing_outputs(Variables& vars, const std::vector<std::string>& wanted, const std::filesystem::path& root_dir,
                             const std::string& workspace, const nlohmann::json& outputs);

}  // namespace tfstage::rollout
