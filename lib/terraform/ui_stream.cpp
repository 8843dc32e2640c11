#include "terraform/ui_stream.hpp"

#include <array>
#include <utility>

namespace tfstage::terraform {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<const char*, UiEventType>, 18> kTypes{{
    {"version", UiEventType::version},
    {"log", UiEventType::log},
    {"diagnostic", UiEventType::diagnostic},
    {"planned_change", UiEventType::planned_change},
    {"change_summary", UiEventType::change_summary},
    {"resource_drift", UiEventType::resource_drift},
    {"apply_start", UiEventType::apply_start},
    {"apply_progress", UiEventType::apply_progress},
    {"apply_complete", UiEventType::apply_complete},
    {"apply_errored", UiEventType::apply_errored},
    {"provision_start", UiEventType::provision_start},
    {"provision_progress", UiEventType::provision_progress},
    {"provision_complete", UiEventType::provision_complete},
    {"provision_errored", UiEventType::provision_errored},
    {"refresh_start", UiEventType::refresh_start},
    {"refresh_complete", UiEventType::refresh_complete},
    {"outputs", UiEventType::outputs},
    {"init_output", UiEventType::init_output},
}};

UiEventType type_from_name(std::string_view name) {
    for (const auto& [text, type] : kTypes)
        if (name == text) return type;
    return UiEventType::unknown;
}

// Reads a string member; absent, null or of another type gives "".
std::string string_at(const json& object, const char* key) {
    if (!object.is_object()) return {};
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

int int_at(const json& object, const char* key) {
    if (!object.is_object()) return 0;
    const auto it = object.find(key);
    return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

const json& member(const json& object, const char* key) {
    static const json null_value;
    if (!object.is_object()) return null_value;
    const auto it = object.find(key);
    return it == object.end() ? null_value : *it;
}

// planned_change and resource_drift carry "change"; the hooks carry "hook".
void read_resource_fields(const json& holder, UiEvent& event) {
    const json& resource = member(holder, "resource");
    event.resource_addr = string_at(resource, "addr");
    event.resource_module = string_at(resource, "module");
    event.action = string_at(holder, "action");
    event.reason = string_at(holder, "reason");
    event.previous_address = string_at(member(holder, "previous_resource"), "addr");
    event.id_key = string_at(holder, "id_key");
    event.id_value = string_at(holder, "id_value");
    event.provisioner = string_at(holder, "provisioner");
    event.output = string_at(holder, "output");
    event.elapsed_seconds = int_at(holder, "elapsed_seconds");
}

}  // namespace

const char* to_string(UiEventType type) noexcept {
    for (const auto& [text, known] : kTypes)
        if (known == type) return text;
    return type == UiEventType::text ? "text" : "unknown";
}

Diagnostic parse_diagnostic(const json& object) {
    if (!object.is_object()) throw Error(ErrorCode::parse_error, "a diagnostic must be a JSON object");
    Diagnostic d;
    d.severity = string_at(object, "severity");
    d.summary = string_at(object, "summary");
    d.detail = string_at(object, "detail");
    d.address = string_at(object, "address");
    const json& range = member(object, "range");
    d.filename = string_at(range, "filename");
    d.line = int_at(member(range, "start"), "line");
    d.column = int_at(member(range, "start"), "column");
    if (d.severity.empty() && d.summary.empty())
        throw Error(ErrorCode::parse_error, "a diagnostic has neither severity nor summary");
    return d;
}

UiEvent parse_ui_line(std::string_view line) {
    UiEvent event;
    json parsed = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) {
        event.type = UiEventType::text;
        event.type_name = "text";
        event.message = std::string(line);
        return event;
    }
    event.type_name = string_at(parsed, "type");
    event.type = type_from_name(event.type_name);
    event.level = string_at(parsed, "@level");
    event.message = string_at(parsed, "@message");
    event.module = string_at(parsed, "@module");
    event.timestamp = string_at(parsed, "@timestamp");

    switch (event.type) {
        case UiEventType::version:
            event.version = string_at(parsed, "terraform");
            if (event.version.empty()) event.version = string_at(parsed, "tofu");
            break;
        case UiEventType::diagnostic:
            try {
                event.diagnostic = parse_diagnostic(member(parsed, "diagnostic"));
            } catch (const Error&) {
                event.type = UiEventType::unknown;  // malformed: keep it, but not as a diagnostic
            }
            break;
        case UiEventType::planned_change:
        case UiEventType::resource_drift:
            read_resource_fields(member(parsed, "change"), event);
            break;
        case UiEventType::change_summary: {
            const json& changes = member(parsed, "changes");
            ChangeSummary summary;
            summary.add = int_at(changes, "add");
            summary.change = int_at(changes, "change");
            summary.remove = int_at(changes, "remove");
            summary.import = int_at(changes, "import");
            summary.forget = int_at(changes, "forget");
            summary.operation = string_at(changes, "operation");
            event.changes = summary;
            break;
        }
        case UiEventType::apply_start:
        case UiEventType::apply_progress:
        case UiEventType::apply_complete:
        case UiEventType::apply_errored:
        case UiEventType::provision_start:
        case UiEventType::provision_progress:
        case UiEventType::provision_complete:
        case UiEventType::provision_errored:
        case UiEventType::refresh_start:
        case UiEventType::refresh_complete:
            read_resource_fields(member(parsed, "hook"), event);
            break;
        default:
            break;
    }
    event.raw = std::move(parsed);
    return event;
}

}  // namespace tfstage::terraform
