#include "json_request.hpp"

#include <algorithm>

#include "option_keys.hpp"
#include "support/error.hpp"
#include "tfstage/common.h"

namespace tfstage::capi {
using json = nlohmann::json;

Request::Request(const char* text, const char* kind) : what_(std::string(kind) + " options") {
    if (text == nullptr) {
        document_ = json::object();
        return;
    }
    document_ = json::parse(std::string_view(text), nullptr, false);
    if (document_.is_discarded()) throw Error(ErrorCode::parse_error, what_ + " is not valid JSON");
    if (!document_.is_object()) throw Error(ErrorCode::parse_error, what_ + " must be a JSON object");
    const auto& known = option_keys(kind);
    for (const auto& [key, value] : document_.items()) {
        if (std::binary_search(known.begin(), known.end(), key)) continue;
        const std::string close = closest_key(key, known);
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw Error(ErrorCode::invalid_argument, what_ + ": unknown key \"" + key + "\"" +
                                                     (close.empty() ? "" : " (did you mean \"" + close + "\"?)") +
                                                     "; the known keys are: " + list);
    }
    const json* version = find("schema_version");
    if (version == nullptr) return;  // missing means 1
    if (!version->is_number_integer()) wrong_type("schema_version", "an integer");
    const auto v = version->get<std::int64_t>();
    if (v > TFS_SCHEMA_VERSION)
        throw Error(ErrorCode::unsupported, what_ + ": schema_version " + std::to_string(v) +
                                                " is newer than this library understands (" +
                                                std::to_string(TFS_SCHEMA_VERSION) + ")");
    if (v < 1) throw Error(ErrorCode::invalid_argument, what_ + ": schema_version must be at least 1");
}

const json* Request::find(const char* key) const {
    const auto it = document_.find(key);
    if (it == document_.end() || it->is_null()) return nullptr;
    return &*it;
}

void Request::wrong_type(const char* key, const char* expected) const {
    throw Error(ErrorCode::invalid_argument, what_ + ": \"" + key + "\" must be " + expected);
}

bool Request::has(const char* key) const { return find(key) != nullptr; }

std::optional<std::string> Request::string(const char* key) const {
    const json* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) wrong_type(key, "a string");
    return v->get<std::string>();
}

std::optional<bool> Request::boolean(const char* key) const {
    const json* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) wrong_type(key, "true or false");
    return v->get<bool>();
}

std::optional<std::int64_t> Request::integer(const char* key, std::int64_t min, std::int64_t max) const {
    const json* v = find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) wrong_type(key, "an integer");
    const auto n = v->get<std::int64_t>();
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
        wrong_type(key, ("an integer from " + std::to_string(min) + " to " + std::to_string(max)).c_str());
    if (n < min || n > max)
        wrong_type(key, ("an integer from " + std::to_string(min) + " to " + std::to_string(max)).c_str());
    return n;
}

std::vector<std::string> Request::strings(const char* key) const {
    std::vector<std::string> out;
    const json* v = find(key);
    if (v == nullptr) return out;
    if (!v->is_array()) wrong_type(key, "an array of strings");
    for (const auto& item : *v) {
        if (!item.is_string()) wrong_type(key, "an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::map<std::string, std::string> Request::string_map(const char* key) const {
    std::map<std::string, std::string> out;
    const json* v = find(key);
    if (v == nullptr) return out;
    if (!v->is_object()) wrong_type(key, "an object of strings");
    for (const auto& [name, value] : v->items()) {
        if (!value.is_string()) wrong_type(key, "an object of strings");  // never echo the value
        out.emplace(name, value.get<std::string>());
    }
    return out;
}

std::vector<std::string> parse_string_array(const char* text, const char* what) {
    if (text == nullptr) throw Error(ErrorCode::invalid_argument, std::string(what) + " is NULL");
    const json document = json::parse(std::string_view(text), nullptr, false);
    if (document.is_discarded()) throw Error(ErrorCode::parse_error, std::string(what) + " is not valid JSON");
    if (!document.is_array()) throw Error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON array of strings");
    std::vector<std::string> out;
    for (const auto& item : document) {
        if (!item.is_string()) throw Error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

std::string dump(const json& document) { return document.dump(-1, ' ', false, json::error_handler_t::replace); }

json result_object() { return json{{"schema_version", TFS_SCHEMA_VERSION}}; }

}  // namespace tfstage::capi
