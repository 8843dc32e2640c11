// Three views of a summary: human text grouped by module, Markdown for pull requests, JSON.
// They show addresses, actions and reasons only: never a value, so never a secret.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "plan/summary.hpp"

namespace tfstage::plan {

struct TextOptions {
    bool color = false;  // the caller decides: isatty(stdout) and no NO_COLOR
};

std::string render_text(const Summary& summary, const TextOptions& options = {});
std::string render_markdown(const Summary& summary);

// {"schema_version":1, "summary":{create, update, delete, replace, read, import, no_op, forget,
//  total_changes}, "changes":[{address, actions, action_reason}], "modules":{"<addr>":{counts}}}
// {"create", "update", "delete", "replace", "read", "import", "no_op", "forget", "total_changes"}
nlohmann::json counts_json(const Counts& counts);
nlohmann::json to_json(const Summary& summary);
std::string render_json(const Summary& summary);

}  // namespace tfstage::plan
