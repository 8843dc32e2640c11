// The plan and state models, parsed from `terraform show -json` (format_version 0.1 .. 1.x).
//
// Values (before/after, attribute values) are kept as nlohmann::json because their shape is
// the provider's; everything tfstage reasons about is typed. Values of sensitive variables
// and sensitive outputs are dropped at parse time, so no later code can print them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace tfstage::plan {

// What happens to one resource instance, from change.actions.
enum class ChangeKind {
    no_op,
    create,
    read,
    update,
    delete_,
    replace,  // [delete, create] or [create, delete]
    forget,
};

const char* to_string(ChangeKind kind);

// The kind of a change.actions list; nullopt for a combination Terraform does not write.
std::optional<ChangeKind> kind_of_actions(const std::vector<std::string>& actions);

struct Change {
    std::vector<std::string> actions;  // as Terraform wrote them: "create", "delete", ...
    ChangeKind kind = ChangeKind::no_op;
    bool create_before_destroy = false;  // [create, delete]
    nlohmann::json before, after, after_unknown, before_sensitive, after_sensitive, replace_paths;
    std::optional<std::string> importing_id;  // present when the change imports (id may be "")
    bool importing = false;
    std::string generated_config;
};

struct ResourceChange {
    std::string address;
    std::string previous_address;  // set when a moved block renamed it
    std::string module_address;    // "" for the root module
    std::string mode;              // "managed" or "data"
    std::string type;
    std::string name;
    nlohmann::json index;  // null, an integer or a string
    std::string provider_name;
    std::string deposed;  // deposed object key, when the change is about one
    std::string action_reason;
    Change change;
};

struct OutputChange {
    std::string name;
    Change change;  // before/after dropped when the output is sensitive
    bool sensitive = false;
};

struct Variable {
    std::string name;
    nlohmann::json value;  // null when sensitive: never kept
    bool sensitive = false;
};

struct RelevantAttribute {
    std::string resource;
    nlohmann::json attribute;  // a path: an array of keys and indexes
};

struct StateResource {
    std::string address;
    std::string mode;
    std::string type;
    std::string name;
    nlohmann::json index;
    std::string provider_name;
    std::int64_t schema_version = 0;
    nlohmann::json values;
    nlohmann::json sensitive_values;
    std::vector<std::string> depends_on;
    bool tainted = false;
    std::string deposed_key;
};

struct StateModule {
    std::string address;  // "" for the root module
    std::vector<StateResource> resources;
    std::vector<StateModule> child_modules;
};

struct StateOutput {
    bool sensitive = false;
    nlohmann::json value;  // null when sensitive: never kept
    nlohmann::json type;
};

struct StateValues {
    std::map<std::string, StateOutput> outputs;
    StateModule root_module;
};

struct State {
    std::string format_version;
    std::string terraform_version;
    std::optional<StateValues> values;  // absent for an empty state
    nlohmann::json checks;

    // Every resource of every module, depth first.
    std::vector<const StateResource*> all_resources() const;
};

struct ConfigVariable {
    bool sensitive = false;
    std::string description;
};

struct ConfigModule;

struct ModuleCall {
    std::string source;
    std::string version;
    std::vector<std::string> references;  // from every expression of the call, in order, unique
    std::vector<std::string> depends_on;
    bool has_count = false;
    bool has_for_each = false;
    std::shared_ptr<ConfigModule> module;  // the called module's configuration
};

struct ConfigResource {
    std::string address;
    std::string mode;
    std::string type;
    std::string name;
    std::vector<std::string> references;
    std::vector<std::string> depends_on;
};

struct ConfigModule {
    std::map<std::string, ModuleCall> module_calls;
    std::vector<ConfigResource> resources;
    std::map<std::string, ConfigVariable> variables;
};

struct Configuration {
    ConfigModule root_module;
};

struct Plan {
    std::string format_version;
    std::string terraform_version;
    std::string timestamp;
    bool errored = false;
    std::optional<bool> applyable;  // Terraform 1.8+
    std::optional<bool> complete;   // Terraform 1.8+
    std::vector<Variable> variables;
    std::vector<ResourceChange> resource_changes;
    std::vector<ResourceChange> resource_drift;
    std::vector<OutputChange> output_changes;
    std::vector<RelevantAttribute> relevant_attributes;
    nlohmann::json checks;  // kept as written: its shape changed across versions
    std::optional<StateValues> planned_values;
    std::optional<State> prior_state;
    Configuration configuration;
};

// Parse `show -json` of a saved plan. Throws Error(parse_error) naming the JSON path of what is
// wrong, or Error(unsupported) for a format_version whose major is not 0 or 1. Accepts UTF-8
// (with or without BOM) and UTF-16 with a BOM.
Plan parse_plan(std::string_view json_text);
Plan parse_plan_file(const std::filesystem::path& path);

// Parse `show -json` of a state. Same errors as parse_plan.
State parse_state(std::string_view json_text);
State parse_state_file(const std::filesystem::path& path);

// Reads a whole file; Error(io) when it cannot.
std::string read_file(const std::filesystem::path& path);

// UTF-8 text from raw bytes: strips a UTF-8 BOM, converts UTF-16LE/BE with a BOM; throws
// Error(parse_error) for UTF-16 without a BOM or invalid UTF-16.
std::string to_utf8(std::string_view bytes);

// Throws Error(unsupported) unless the format_version's major is 0 or 1.
void check_format_version(const std::string& format_version, const char* document_kind);

}  // namespace tfstage::plan
