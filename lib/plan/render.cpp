#include "plan/render.hpp"

#include <map>
#include <vector>

namespace tfstage::plan {
namespace {

struct Style {
    const char* symbol;
    const char* color;  // ANSI SGR
};

Style style_of(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::create: return {"+", "32"};
        case ChangeKind::update: return {"~", "33"};
        case ChangeKind::delete_: return {"-", "31"};
        case ChangeKind::replace: return {"-/+", "35"};
        case ChangeKind::read: return {"<=", "36"};
        case ChangeKind::forget: return {".", "90"};
        case ChangeKind::no_op: return {" ", "0"};
    }
    return {"?", "0"};
}

std::string paint(const std::string& text, const char* color, bool enabled) {
    return enabled ? "\x1b[" + std::string(color) + "m" + text + "\x1b[0m" : text;
}

std::string module_title(const std::string& module_address) { return module_address.empty() ? "(root module)" : module_address; }

// What a change does, in words: "replace (create before destroy)", "update, import".
std::string describe(const ChangeEntry& change) {
    bool import_only = change.importing && change.kind == ChangeKind::no_op;
    std::string text = import_only ? "import" : to_string(change.kind);
    if (change.kind == ChangeKind::replace && !change.actions.empty() && change.actions.front() == "create")
        text += " (create before destroy)";
    if (change.importing && !import_only) text += ", import";
    return text;
}

std::map<std::string, std::vector<const ChangeEntry*>> by_module(const Summary& summary) {
    std::map<std::string, std::vector<const ChangeEntry*>> groups;
    for (const auto& change : summary.changes) groups[change.module_address].push_back(&change);
    return groups;
}

std::string headline(const Counts& c) {
    if (c.total_changes == 0 && c.read == 0) return "No changes.";
    std::string text = "Plan: " + std::to_string(c.create) + " to add, " + std::to_string(c.update) + " to change, " +
                       std::to_string(c.delete_) + " to destroy, " + std::to_string(c.replace) + " to replace";
    if (c.import) text += ", " + std::to_string(c.import) + " to import";
    if (c.forget) text += ", " + std::to_string(c.forget) + " to forget";
    if (c.read) text += ", " + std::to_string(c.read) + " to read";
    return text + ".";
}

// A Markdown code span that survives backticks inside the address.
std::string code_span(const std::string& text) {
    std::string fence = "`";
    while (text.find(fence) != std::string::npos) fence += '`';
    bool pad = text.starts_with('`') || text.ends_with('`');
    return fence + (pad ? " " : "") + text + (pad ? " " : "") + fence;
}

}  // namespace

nlohmann::json counts_json(const Counts& c) {
    return {{"create", c.create}, {"update", c.update}, {"delete", c.delete_}, {"replace", c.replace},
            {"read", c.read},     {"import", c.import}, {"no_op", c.no_op},    {"forget", c.forget},
            {"total_changes", c.total_changes}};
}

std::string render_text(const Summary& summary, const TextOptions& options) {
    std::string out = headline(summary.overall) + "\n";
    for (const auto& [module, changes] : by_module(summary)) {
        out += "\n" + paint(module_title(module), "1", options.color) + "\n";
        for (const ChangeEntry* change : changes) {
            Style style = style_of(change->kind);
            std::string line = "  " + std::string(style.symbol) + " " + change->address + "  " + describe(*change);
            if (!change->action_reason.empty()) line += " [" + change->action_reason + "]";
            out += paint(line, style.color, options.color && change->kind != ChangeKind::no_op) + "\n";
        }
    }
    return out;
}

std::string render_markdown(const Summary& summary) {
    const Counts& c = summary.overall;
    std::string out = "### Terraform plan\n\n" + headline(c) + "\n\n";
    out += "| create | update | delete | replace | read | import | no-op | forget |\n";
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (std::int64_t n : {c.create, c.update, c.delete_, c.replace, c.read, c.import, c.no_op, c.forget})
        out += "| " + std::to_string(n) + " ";
    out += "|\n";
    for (const auto& [module, changes] : by_module(summary)) {
        out += "\n#### " + (module.empty() ? std::string("Root module") : code_span(module)) + "\n\n";
        for (const ChangeEntry* change : changes) {
            out += "- **" + describe(*change) + "** " + code_span(change->address);
            if (!change->action_reason.empty()) out += " (" + change->action_reason + ")";
            out += "\n";
        }
    }
    return out;
}

nlohmann::json to_json(const Summary& summary) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& change : summary.changes) {
        changes.push_back({{"address", change.address},
                           {"module_address", change.module_address},
                           {"actions", change.actions},
                           {"action_reason", change.action_reason.empty() ? nlohmann::json() : nlohmann::json(change.action_reason)},
                           {"importing", change.importing}});
    }
    nlohmann::json modules = nlohmann::json::object();
    for (const auto& [module, counts] : summary.modules) modules[module] = counts_json(counts);
    return {{"schema_version", 1},
            {"format_version", summary.format_version},
            {"summary", counts_json(summary.overall)},
            {"changes", changes},
            {"modules", modules}};
}

std::string render_json(const Summary& summary) { return to_json(summary).dump(); }

}  // namespace tfstage::plan
