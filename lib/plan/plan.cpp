#include "plan/plan.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "plan/json_reader.hpp"
#include "support/error.hpp"
#include "support/utf8.hpp"

namespace tfstage::plan {
namespace {

using detail::child_path;
using detail::index_path;
using detail::json;
using detail::Reader;

// ---- change and resource changes -------------------------------------------------------

void classify(Change& change, const Reader& reader, const std::string& path) {
    auto kind = kind_of_actions(change.actions);
    if (!kind) {
        std::string list;
        for (const auto& action : change.actions) list += (list.empty() ? "" : ", ") + action;
        reader.fail(child_path(path, "actions"), "unknown combination of actions [" + list + "]");
    }
    change.kind = *kind;
    change.create_before_destroy = change.actions.size() == 2 && change.actions[0] == "create";
}

Change parse_change(const json& object, const Reader& reader, const std::string& path) {
    reader.object(object, path);
    Change change;
    if (!reader.find(object, "actions")) reader.fail(child_path(path, "actions"), "missing (an array of actions is required)");
    change.actions = reader.strings(object, "actions", path);
    classify(change, reader, path);
    change.before = reader.any(object, "before");
    change.after = reader.any(object, "after");
    change.after_unknown = reader.any(object, "after_unknown");
    change.before_sensitive = reader.any(object, "before_sensitive");
    change.after_sensitive = reader.any(object, "after_sensitive");
    change.replace_paths = reader.any(object, "replace_paths");
    if (const json* importing = reader.find(object, "importing")) {
        std::string here = child_path(path, "importing");
        reader.object(*importing, here);
        change.importing = true;
        change.importing_id = reader.string(*importing, "id", here);
    }
    change.generated_config = reader.string(object, "generated_config", path);
    return change;
}

ResourceChange parse_resource_change(const json& object, const Reader& reader, const std::string& path) {
    reader.object(object, path);
    ResourceChange rc;
    rc.address = reader.required_string(object, "address", path);
    rc.previous_address = reader.string(object, "previous_address", path);
    rc.module_address = reader.string(object, "module_address", path);
    rc.mode = reader.string(object, "mode", path);
    rc.type = reader.string(object, "type", path);
    rc.name = reader.string(object, "name", path);
    rc.index = reader.any(object, "index");
    rc.provider_name = reader.string(object, "provider_name", path);
    rc.deposed = reader.string(object, "deposed", path);
    rc.action_reason = reader.string(object, "action_reason", path);
    if (!reader.find(object, "change")) reader.fail(child_path(path, "change"), "missing (an object is required)");
    rc.change = parse_change(object["change"], reader, child_path(path, "change"));
    return rc;
}

std::vector<ResourceChange> parse_resource_changes(const json& doc, const char* key, const Reader& reader) {
    std::vector<ResourceChange> out;
    const json& list = reader.array(doc, key, "");
    out.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) out.push_back(parse_resource_change(list[i], reader, index_path(key, i)));
    return out;
}

// ---- state values ----------------------------------------------------------------------

StateResource parse_state_resource(const json& object, const Reader& reader, const std::string& path) {
    reader.object(object, path);
    StateResource r;
    r.address = reader.required_string(object, "address", path);
    r.mode = reader.string(object, "mode", path);
    r.type = reader.string(object, "type", path);
    r.name = reader.string(object, "name", path);
    r.index = reader.any(object, "index");
    r.provider_name = reader.string(object, "provider_name", path);
    r.schema_version = reader.integer(object, "schema_version", path);
    r.values = reader.any(object, "values");
    r.sensitive_values = reader.any(object, "sensitive_values");
    r.depends_on = reader.strings(object, "depends_on", path);
    r.tainted = reader.boolean(object, "tainted", path);
    r.deposed_key = reader.string(object, "deposed_key", path);
    return r;
}

StateModule parse_state_module(const json& object, const Reader& reader, const std::string& path) {
    reader.object(object, path);
    StateModule m;
    m.address = reader.string(object, "address", path);
    const json& resources = reader.array(object, "resources", path);
    for (std::size_t i = 0; i < resources.size(); ++i)
        m.resources.push_back(parse_state_resource(resources[i], reader, index_path(child_path(path, "resources"), i)));
    const json& children = reader.array(object, "child_modules", path);
    for (std::size_t i = 0; i < children.size(); ++i)
        m.child_modules.push_back(parse_state_module(children[i], reader, index_path(child_path(path, "child_modules"), i)));
    return m;
}

StateValues parse_state_values(const json& object, const Reader& reader, const std::string& path) {
    reader.object(object, path);
    StateValues values;
    const json& outputs = reader.object_field(object, "outputs", path);
    for (const auto& [name, output] : outputs.items()) {
        std::string here = child_path(child_path(path, "outputs"), name);
        reader.object(output, here);
        StateOutput out;
        out.sensitive = reader.boolean(output, "sensitive", here);
        if (!out.sensitive) out.value = reader.any(output, "value");
        out.type = reader.any(output, "type");
        values.outputs.emplace(name, std::move(out));
    }
    if (const json* root = reader.find(object, "root_module"))
        values.root_module = parse_state_module(*root, reader, child_path(path, "root_module"));
    return values;
}

State parse_state_document(const json& doc, const Reader& reader, const std::string& path) {
    reader.object(doc, path);
    State state;
    // A plan's prior_state may lack format_version (older Go test outputs); a state may not.
    state.format_version = path.empty() ? reader.required_string(doc, "format_version", path) : reader.string(doc, "format_version", path);
    if (!state.format_version.empty()) check_format_version(state.format_version, "state");
    state.terraform_version = reader.string(doc, "terraform_version", path);
    if (const json* values = reader.find(doc, "values")) state.values = parse_state_values(*values, reader, child_path(path, "values"));
    state.checks = reader.any(doc, "checks");
    return state;
}

// ---- configuration ---------------------------------------------------------------------

// Every `references` list inside an expression tree (nested blocks included).
void collect_references(const json& node, std::vector<std::string>& out, int depth = 0) {
    if (depth > 64) return;  // expressions are shallow; a pathological file must not recurse forever
    if (node.is_array()) {
        for (const auto& item : node) collect_references(item, out, depth + 1);
        return;
    }
    if (!node.is_object()) return;
    for (const auto& [key, value] : node.items()) {
        if (key == "constant_value") continue;
        if (key == "references" && value.is_array()) {
            for (const auto& ref : value)
                if (ref.is_string() && std::find(out.begin(), out.end(), ref.get<std::string>()) == out.end())
                    out.push_back(ref.get<std::string>());
        } else {
            collect_references(value, out, depth + 1);
        }
    }
}

std::vector<std::string> references_of(const json& object) {
    std::vector<std::string> refs;
    for (const char* key : {"expressions", "count_expression", "for_each_expression"})
        if (object.contains(key)) collect_references(object[key], refs);
    return refs;
}

ConfigModule parse_config_module(const json& object, const Reader& reader, const std::string& path, int depth);

ModuleCall parse_module_call(const json& object, const Reader& reader, const std::string& path, int depth) {
    reader.object(object, path);
    ModuleCall call;
    call.source = reader.string(object, "source", path);
    call.version = reader.string(object, "version_constraint", path);
    call.references = references_of(object);
    call.depends_on = reader.strings(object, "depends_on", path);
    call.has_count = reader.find(object, "count_expression") != nullptr;
    call.has_for_each = reader.find(object, "for_each_expression") != nullptr;
    if (const json* module = reader.find(object, "module"))
        call.module = std::make_shared<ConfigModule>(parse_config_module(*module, reader, child_path(path, "module"), depth + 1));
    return call;
}

ConfigModule parse_config_module(const json& object, const Reader& reader, const std::string& path, int depth) {
    reader.object(object, path);
    if (depth > 100) reader.fail(path, "modules nested more than 100 deep");
    ConfigModule module;
    const json& calls = reader.object_field(object, "module_calls", path);
    for (const auto& [name, call] : calls.items())
        module.module_calls.emplace(name, parse_module_call(call, reader, child_path(child_path(path, "module_calls"), name), depth));
    const json& resources = reader.array(object, "resources", path);
    for (std::size_t i = 0; i < resources.size(); ++i) {
        std::string here = index_path(child_path(path, "resources"), i);
        const json& r = reader.object(resources[i], here);
        module.resources.push_back({reader.string(r, "address", here), reader.string(r, "mode", here), reader.string(r, "type", here),
                                    reader.string(r, "name", here), references_of(r), reader.strings(r, "depends_on", here)});
    }
    const json& variables = reader.object_field(object, "variables", path);
    for (const auto& [name, variable] : variables.items()) {
        std::string here = child_path(child_path(path, "variables"), name);
        reader.object(variable, here);
        module.variables.emplace(name, ConfigVariable{reader.boolean(variable, "sensitive", here), reader.string(variable, "description", here)});
    }
    return module;
}

// ---- plan-level fields -----------------------------------------------------------------

std::vector<Variable> parse_variables(const json& doc, const ConfigModule& root, const Reader& reader) {
    std::vector<Variable> out;
    for (const auto& [name, variable] : reader.object_field(doc, "variables", "").items()) {
        std::string here = child_path("variables", name);
        reader.object(variable, here);
        auto config = root.variables.find(name);
        bool sensitive = config != root.variables.end() && config->second.sensitive;
        out.push_back({name, sensitive ? json() : reader.any(variable, "value"), sensitive});
    }
    return out;
}

bool is_marked_sensitive(const json& marker) { return marker.is_boolean() && marker.get<bool>(); }

std::vector<OutputChange> parse_output_changes(const json& doc, const Reader& reader) {
    std::vector<OutputChange> out;
    for (const auto& [name, change] : reader.object_field(doc, "output_changes", "").items()) {
        OutputChange oc{name, parse_change(change, reader, child_path("output_changes", name)), false};
        oc.sensitive = is_marked_sensitive(oc.change.before_sensitive) || is_marked_sensitive(oc.change.after_sensitive);
        if (oc.sensitive) oc.change.before = oc.change.after = json();
        out.push_back(std::move(oc));
    }
    return out;
}

std::vector<RelevantAttribute> parse_relevant_attributes(const json& doc, const Reader& reader) {
    std::vector<RelevantAttribute> out;
    const json& list = reader.array(doc, "relevant_attributes", "");
    for (std::size_t i = 0; i < list.size(); ++i) {
        std::string here = index_path("relevant_attributes", i);
        reader.object(list[i], here);
        out.push_back({reader.string(list[i], "resource", here), reader.any(list[i], "attribute")});
    }
    return out;
}

Plan build_plan(const json& doc, const Reader& reader) {
    reader.object(doc, "");
    Plan plan;
    plan.format_version = reader.required_string(doc, "format_version", "");
    check_format_version(plan.format_version, "plan");
    plan.terraform_version = reader.string(doc, "terraform_version", "");
    plan.timestamp = reader.string(doc, "timestamp", "");
    plan.errored = reader.boolean(doc, "errored", "");
    plan.applyable = reader.optional_boolean(doc, "applyable", "");
    plan.complete = reader.optional_boolean(doc, "complete", "");
    if (const json* config = reader.find(doc, "configuration")) {
        reader.object(*config, "configuration");
        if (const json* root = reader.find(*config, "root_module"))
            plan.configuration.root_module = parse_config_module(*root, reader, "configuration.root_module", 0);
    }
    plan.variables = parse_variables(doc, plan.configuration.root_module, reader);
    plan.resource_changes = parse_resource_changes(doc, "resource_changes", reader);
    plan.resource_drift = parse_resource_changes(doc, "resource_drift", reader);
    plan.output_changes = parse_output_changes(doc, reader);
    plan.relevant_attributes = parse_relevant_attributes(doc, reader);
    plan.checks = reader.any(doc, "checks");
    if (const json* planned = reader.find(doc, "planned_values"))
        plan.planned_values = parse_state_values(*planned, reader, "planned_values");
    if (const json* prior = reader.find(doc, "prior_state")) plan.prior_state = parse_state_document(*prior, reader, "prior_state");
    return plan;
}

// Converts code units read by `unit(i)` (UTF-16) to UTF-8.
template <typename Unit>
std::string utf16_to_utf8(std::size_t count, Unit unit) {
    std::string out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        std::uint32_t cp = unit(i);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 1 >= count || unit(i + 1) < 0xDC00 || unit(i + 1) > 0xDFFF)
                throw Error(ErrorCode::parse_error, "invalid UTF-16 text: a lone surrogate at code unit " + std::to_string(i));
            cp = 0x10000 + ((cp - 0xD800) << 10) + (unit(i + 1) - 0xDC00);
            ++i;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            throw Error(ErrorCode::parse_error, "invalid UTF-16 text: a lone surrogate at code unit " + std::to_string(i));
        }
        append_utf8(out, cp);
    }
    return out;
}

std::uint32_t byte_at(std::string_view bytes, std::size_t i) { return static_cast<unsigned char>(bytes[i]); }

}  // namespace

const char* to_string(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::no_op: return "no-op";
        case ChangeKind::create: return "create";
        case ChangeKind::read: return "read";
        case ChangeKind::update: return "update";
        case ChangeKind::delete_: return "delete";
        case ChangeKind::replace: return "replace";
        case ChangeKind::forget: return "forget";
    }
    return "unknown";
}

std::optional<ChangeKind> kind_of_actions(const std::vector<std::string>& actions) {
    auto is = [&actions](std::initializer_list<const char*> expected) {
        return std::equal(actions.begin(), actions.end(), expected.begin(), expected.end());
    };
    if (is({"no-op"})) return ChangeKind::no_op;
    if (is({"create"})) return ChangeKind::create;
    if (is({"read"})) return ChangeKind::read;
    if (is({"update"})) return ChangeKind::update;
    if (is({"delete"})) return ChangeKind::delete_;
    if (is({"forget"})) return ChangeKind::forget;
    if (is({"delete", "create"}) || is({"create", "delete"})) return ChangeKind::replace;
    return std::nullopt;
}

std::vector<const StateResource*> State::all_resources() const {
    std::vector<const StateResource*> out;
    if (!values) return out;
    std::vector<const StateModule*> pending{&values->root_module};
    while (!pending.empty()) {
        const StateModule* module = pending.back();
        pending.pop_back();
        for (const auto& r : module->resources) out.push_back(&r);
        for (auto it = module->child_modules.rbegin(); it != module->child_modules.rend(); ++it) pending.push_back(&*it);
    }
    return out;
}

std::string to_utf8(std::string_view bytes) {
    if (bytes.starts_with("\xEF\xBB\xBF")) return std::string(bytes.substr(3));
    bool le = bytes.starts_with("\xFF\xFE");
    bool be = bytes.starts_with("\xFE\xFF");
    if (le || be) {
        std::string_view body = bytes.substr(2);
        if (body.size() % 2 != 0) throw Error(ErrorCode::parse_error, "invalid UTF-16 text: an odd number of bytes (truncated?)");
        return utf16_to_utf8(body.size() / 2, [body, le](std::size_t i) {
            std::uint32_t first = byte_at(body, 2 * i), second = byte_at(body, 2 * i + 1);
            return le ? first | (second << 8) : (first << 8) | second;
        });
    }
    if (bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0'))
        throw Error(ErrorCode::parse_error, "the text looks like UTF-16 without a byte order mark; save it as UTF-8");
    return std::string(bytes);
}

void check_format_version(const std::string& format_version, const char* document_kind) {
    auto dot = format_version.find('.');
    std::string major = format_version.substr(0, dot);
    bool numeric = !major.empty() && major.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric || dot == std::string::npos)
        throw Error(ErrorCode::parse_error, std::string("invalid ") + document_kind + " JSON at format_version: expected \"MAJOR.MINOR\", found \"" + format_version + "\"");
    if (major != "0" && major != "1")
        throw Error(ErrorCode::unsupported, std::string("unsupported ") + document_kind + " format_version \"" + format_version +
                                                "\": tfstage reads format 0.x and 1.x (Terraform 0.12 to 1.x); upgrade tfstage to read this plan");
}

std::string read_file(const std::filesystem::path& path) {
    // A directory opens (and reads as nothing) on Linux: say what it is, not "empty".
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::io, path.string() + " is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot open " + path.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw Error(ErrorCode::io, "cannot read " + path.string());
    return std::move(buffer).str();
}

Plan parse_plan(std::string_view json_text) {
    Reader reader("plan");
    try {
        json doc = detail::parse_json(to_utf8(json_text), "plan");
        return build_plan(doc, reader);
    } catch (const json::exception& e) {  // a safety net: every access above checks its type first
        throw Error(ErrorCode::parse_error, std::string("invalid plan JSON: ") + e.what());
    }
}

Plan parse_plan_file(const std::filesystem::path& path) {
    try {
        return parse_plan(read_file(path));
    } catch (const Error& e) {
        throw Error(e.code(), path.string() + ": " + e.what());
    }
}

State parse_state(std::string_view json_text) {
    Reader reader("state");
    try {
        json doc = detail::parse_json(to_utf8(json_text), "state");
        return parse_state_document(doc, reader, "");
    } catch (const json::exception& e) {
        throw Error(ErrorCode::parse_error, std::string("invalid state JSON: ") + e.what());
    }
}

State parse_state_file(const std::filesystem::path& path) {
    try {
        return parse_state(read_file(path));
    } catch (const Error& e) {
        throw Error(e.code(), path.string() + ": " + e.what());
    }
}

}  // namespace tfstage::plan
