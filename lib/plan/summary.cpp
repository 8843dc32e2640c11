#include "plan/summary.hpp"

#include <simdjson.h>

#include "support/error.hpp"

namespace tfstage::plan {
namespace {

namespace od = simdjson::ondemand;

void count(Counts& counts, ChangeKind kind, bool importing) {
    switch (kind) {
        case ChangeKind::no_op: ++counts.no_op; break;
        case ChangeKind::create: ++counts.create; break;
        case ChangeKind::read: ++counts.read; break;
        case ChangeKind::update: ++counts.update; break;
        case ChangeKind::delete_: ++counts.delete_; break;
        case ChangeKind::replace: ++counts.replace; break;
        case ChangeKind::forget: ++counts.forget; break;
    }
    if (importing) ++counts.import;
    if ((kind != ChangeKind::no_op && kind != ChangeKind::read) || importing) ++counts.total_changes;
}

void add(Summary& summary, ChangeEntry entry) {
    count(summary.overall, entry.kind, entry.importing);
    count(summary.modules[entry.module_address], entry.kind, entry.importing);
    if (entry.kind != ChangeKind::no_op || entry.importing) summary.changes.push_back(std::move(entry));
}

// ---- the simdjson pass -----------------------------------------------------------------

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error(ErrorCode::parse_error, "invalid plan JSON at " + (path.empty() ? std::string("the top level") : path) + ": " + what);
}

bool is_null(od::value value) { return value.type() == od::json_type::null; }

std::string string_of(od::value value) { return std::string(std::string_view(value.get_string())); }

// Reads change.actions and change.importing; `path` names the field being read on failure.
void read_change(od::value change, ChangeEntry& entry, bool& saw_actions, std::string& path) {
    std::string base = path;
    for (auto field : change.get_object()) {
        std::string_view key = field.unescaped_key();
        path = base + "." + std::string(key);
        if (key == "actions") {
            saw_actions = true;
            std::size_t i = 0;
            for (auto action : field.value().get_array()) {
                path = base + ".actions[" + std::to_string(i++) + "]";
                entry.actions.push_back(string_of(action.value()));
            }
        } else if (key == "importing") {
            od::value importing = field.value();
            entry.importing = !is_null(importing);
            if (entry.importing && importing.type() != od::json_type::object) fail(path, "expected an object");
        }
    }
    path = base;
}

ChangeEntry read_resource_change(od::value item, std::string& path) {
    std::string base = path;
    ChangeEntry entry;
    bool saw_address = false, saw_change = false, saw_actions = false;
    for (auto field : item.get_object()) {
        std::string_view key = field.unescaped_key();
        path = base + "." + std::string(key);
        od::value value = field.value();
        if (key == "address") {
            entry.address = string_of(value);
            saw_address = true;
        } else if (key == "module_address") {
            if (!is_null(value)) entry.module_address = string_of(value);
        } else if (key == "action_reason") {
            if (!is_null(value)) entry.action_reason = string_of(value);
        } else if (key == "change") {
            saw_change = true;
            read_change(value, entry, saw_actions, path);
        }
    }
    if (!saw_address) fail(base + ".address", "missing (a string is required)");
    if (!saw_change) fail(base + ".change", "missing (an object is required)");
    if (!saw_actions) fail(base + ".change.actions", "missing (an array of actions is required)");
    auto kind = kind_of_actions(entry.actions);
    if (!kind) fail(base + ".change.actions", "unknown combination of actions");
    entry.kind = *kind;
    path = base;
    return entry;
}

Summary summarise_padded(const simdjson::padded_string& text) {
    Summary summary;
    std::string path;
    try {
        od::parser parser;
        od::document doc = parser.iterate(text);
        bool saw_format_version = false;
        for (auto field : doc.get_object()) {
            std::string_view key = field.unescaped_key();
            path = std::string(key);
            if (key == "format_version") {
                summary.format_version = string_of(field.value());
                check_format_version(summary.format_version, "plan");
                saw_format_version = true;
            } else if (key == "resource_changes") {
                od::value list = field.value();
                if (is_null(list)) continue;
                std::size_t i = 0;
                for (auto item : list.get_array()) {
                    path = "resource_changes[" + std::to_string(i++) + "]";
                    add(summary, read_resource_change(item.value(), path));
                }
            }
        }
        path.clear();
        if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) fail("", "unexpected text after the JSON document");
        if (!saw_format_version) fail("format_version", "missing (a string is required)");
    } catch (const simdjson::simdjson_error& e) {
        std::string what = e.error() == simdjson::INCORRECT_TYPE ? "a value of the wrong type" : simdjson::error_message(e.error());
        fail(path, what + " (truncated or malformed JSON?)");
    }
    return summary;
}

bool has_byte_order_mark(std::string_view bytes) {
    return bytes.starts_with("\xEF\xBB\xBF") || bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF");
}

}  // namespace

Summary summarise(const Plan& plan) {
    Summary summary;
    summary.format_version = plan.format_version;
    for (const auto& rc : plan.resource_changes)
        add(summary, {rc.address, rc.module_address, rc.change.actions, rc.change.kind, rc.action_reason, rc.change.importing});
    return summary;
}

Summary summarise_text(std::string_view json_text) {
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(ErrorCode::parse_error, "invalid plan JSON: the document is empty");
    if (has_byte_order_mark(json_text) || (json_text.size() >= 2 && (json_text[0] == '\0' || json_text[1] == '\0')))
        return summarise_padded(simdjson::padded_string(to_utf8(json_text)));
    return summarise_padded(simdjson::padded_string(json_text));
}

Summary summarise_file(const std::filesystem::path& path) {
    try {
        simdjson::padded_string text;
        if (auto error = simdjson::padded_string::load(path.string()).get(text))
            throw Error(ErrorCode::io, "cannot read " + path.string() + ": " + simdjson::error_message(error));
        std::string_view view(text.data(), text.size());
        if (has_byte_order_mark(view) || view.find_first_not_of(" \t\r\n") == std::string_view::npos ||
            (view.size() >= 2 && (view[0] == '\0' || view[1] == '\0')))
            return summarise_text(view);  // rare: converts, or reports the empty document
        return summarise_padded(text);
    } catch (const Error& e) {
        throw Error(e.code(), path.string() + ": " + e.what());
    }
}

}  // namespace tfstage::plan
