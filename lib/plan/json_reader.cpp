#include "plan/json_reader.hpp"

#include "support/error.hpp"

namespace tfstage::plan::detail {
namespace {

const json& empty_array() {
    static const json value = json::array();
    return value;
}

const json& empty_object() {
    static const json value = json::object();
    return value;
}

// nlohmann prefixes messages with "[json.exception.parse_error.101] "; users need the rest.
std::string without_exception_tag(const std::string& message) {
    auto end = message.find("] ");
    return message.starts_with("[json.exception") && end != std::string::npos ? message.substr(end + 2) : message;
}

}  // namespace

std::string child_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

json parse_json(std::string_view text, const char* document_kind) {
    std::string kind(document_kind);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(ErrorCode::parse_error, "invalid " + kind + " JSON: the document is empty");
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        throw Error(ErrorCode::parse_error, "invalid " + kind + " JSON (truncated or malformed?): " + without_exception_tag(e.what()));
    }
}

void Reader::fail(const std::string& path, const std::string& what) const {
    throw Error(ErrorCode::parse_error, "invalid " + std::string(kind_) + " JSON at " + (path.empty() ? "the top level" : path) + ": " + what);
}

void Reader::wrong_type(const std::string& path, const char* expected, const json& found) const {
    fail(path, std::string("expected ") + expected + ", found " + found.type_name());
}

const json* Reader::find(const json& object, const char* key) const {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    return &*it;
}

const json& Reader::object(const json& value, const std::string& path) const {
    if (!value.is_object()) wrong_type(path, "an object", value);
    return value;
}

std::string Reader::string(const json& object, const char* key, const std::string& path) const {
    const json* value = find(object, key);
    if (!value) return "";
    if (!value->is_string()) wrong_type(child_path(path, key), "a string", *value);
    return value->get<std::string>();
}

std::string Reader::required_string(const json& object, const char* key, const std::string& path) const {
    if (!find(object, key)) fail(child_path(path, key), "missing (a string is required)");
    return string(object, key, path);
}

bool Reader::boolean(const json& object, const char* key, const std::string& path) const {
    return optional_boolean(object, key, path).value_or(false);
}

std::optional<bool> Reader::optional_boolean(const json& object, const char* key, const std::string& path) const {
    const json* value = find(object, key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) wrong_type(child_path(path, key), "true or false", *value);
    return value->get<bool>();
}

std::int64_t Reader::integer(const json& object, const char* key, const std::string& path) const {
    const json* value = find(object, key);
    if (!value) return 0;
    if (!value->is_number_integer()) wrong_type(child_path(path, key), "an integer", *value);
    return value->get<std::int64_t>();
}

const json& Reader::array(const json& object, const char* key, const std::string& path) const {
    const json* value = find(object, key);
    if (!value) return empty_array();
    if (!value->is_array()) wrong_type(child_path(path, key), "an array", *value);
    return *value;
}

const json& Reader::object_field(const json& object, const char* key, const std::string& path) const {
    const json* value = find(object, key);
    if (!value) return empty_object();
    if (!value->is_object()) wrong_type(child_path(path, key), "an object", *value);
    return *value;
}

std::vector<std::string> Reader::strings(const json& object, const char* key, const std::string& path) const {
    std::vector<std::string> out;
    const json& values = array(object, key, path);
    std::string here = child_path(path, key);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i].is_string()) wrong_type(index_path(here, i), "a string", values[i]);
        out.push_back(values[i].get<std::string>());
    }
    return out;
}

json Reader::any(const json& object, const char* key) const {
    const json* value = find(object, key);
    return value ? *value : json();
}

}  // namespace tfstage::plan::detail
