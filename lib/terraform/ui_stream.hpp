// The machine-readable UI stream of `terraform plan -json` / `apply -json` (and OpenTofu's):
// one JSON object per line, parsed into typed events. A message type we do not know is kept
// as a generic event (type_name and raw), never dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace tfstage::terraform {

enum class UiEventType {
    version,
    log,
    diagnostic,
    planned_change,
    change_summary,
    resource_drift,
    apply_start,
    apply_progress,
    apply_complete,
    apply_errored,
    provision_start,
    provision_progress,
    provision_complete,
    provision_errored,
    refresh_start,
    refresh_complete,
    outputs,
    init_output,
    text,     // a line that is not JSON (kept as message)
    unknown,  // JSON with a type we do not model
};

const char* to_string(UiEventType type) noexcept;

// Counts from a change_summary message ("Apply complete! Resources: 1 added, ...").
struct ChangeSummary {
    int add = 0;
    int change = 0;
    int remove = 0;
    int import = 0;
    int forget = 0;
    std::string operation;  // plan, apply or destroy
};

struct UiEvent {
    UiEventType type = UiEventType::unknown;
    std::string type_name;  // the "type" field as written
    std::string level;      // @level
    std::string message;    // @message
    std::string module;     // @module: terraform.ui or tofu.ui
    std::string timestamp;  // @timestamp (absent in some OpenTofu outputs)

    // The resource of planned_change, resource_drift and the hook messages.
    std::string resource_addr;
    std::string resource_module;
    std::string action;            // create, update, delete, replace, read, import, ...
    std::string reason;            // planned_change reason (cannot_update, tainted, ...)
    std::string previous_address;  // for moves
    std::string id_key;            // apply_complete: the new object's id
    std::string id_value;
    std::string provisioner;
    std::string output;  // provision_progress line
    int elapsed_seconds = 0;

    std::optional<Diagnostic> diagnostic;  // type diagnostic
    std::optional<ChangeSummary> changes;  // type change_summary
    std::string version;                   // type version: the engine version

    // The whole message. outputs events hold output values here: treat them as secret when
    // marked sensitive (Terraform already leaves sensitive values out of that message).
    nlohmann::json raw;
};

// Parses one line of the stream. A line that is not a JSON object becomes a text event.
UiEvent parse_ui_line(std::string_view line);

// A diagnostic object as found in validate -json and in UI "diagnostic" messages.
// Throws Error(parse_error) when the object is not shaped like one.
Diagnostic parse_diagnostic(const nlohmann::json& object);

}  // namespace tfstage::terraform
