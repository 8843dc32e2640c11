// Plan summaries: counts overall and per module, plus the list of changes. Two ways in that
// always agree: from a parsed Plan, or straight from the JSON text, streamed, reading only
// resource_changes[].{address, module_address, change.actions, change.importing, action_reason}
// (for plans of hundreds of MB).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"

namespace tfstage::plan {

struct Counts {
    std::int64_t create = 0;
    std::int64_t update = 0;
    std::int64_t delete_ = 0;
    std::int64_t replace = 0;  // only here, never also in create or delete
    std::int64_t read = 0;
    std::int64_t import = 0;  // in addition to the resource's own action
    std::int64_t no_op = 0;
    std::int64_t forget = 0;
    // Resources that change: any action but no-op and read, plus no-op imports.
    std::int64_t total_changes = 0;

    bool operator==(const Counts&) const = default;
};

struct ChangeEntry {
    std::string address;
    std::string module_address;  // "" for the root module
    std::vector<std::string> actions;
    ChangeKind kind = ChangeKind::no_op;
    std::string action_reason;
    bool importing = false;

    bool operator==(const ChangeEntry&) const = default;
};

struct Summary {
    std::string format_version;
    Counts overall;
    std::map<std::string, Counts> modules;  // by module_address, every module with a resource change
    std::vector<ChangeEntry> changes;       // plan order; plain no-ops left out

    bool operator==(const Summary&) const = default;
};

Summary summarise(const Plan& plan);

// The fast path. Same errors as parse_plan (parse_error naming the JSON path; unsupported
// format_version), without building a DOM. It streams: the input is read through a window of
// `window` bytes (default 1 MiB; tests pass tiny ones), the top-level object is walked with a
// small scanner (json_scanner.hpp), and each resource change is handed to simdjson with only
// the members read here, its large before/after values skipped. Memory stays near the window
// size plus the summary, whatever the size of the plan.
inline constexpr std::size_t summary_window = std::size_t{1} << 20;
Summary summarise_text(std::string_view json_text, std::size_t window = summary_window);
Summary summarise_file(const std::filesystem::path& path, std::size_t window = summary_window);

}  // namespace tfstage::plan
