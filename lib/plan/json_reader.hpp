// Reading nlohmann::json with errors that name the JSON path (`resource_changes[3].change.actions`)
// and never let an nlohmann exception escape. Internal to lib/plan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfstage::plan::detail {

using nlohmann::json;

std::string child_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, std::size_t index);

// Parses text (already UTF-8) into a DOM; Error(parse_error) with the position on failure.
json parse_json(std::string_view text, const char* document_kind);

class Reader {
public:
    explicit Reader(const char* document_kind) : kind_(document_kind) {}

    [[noreturn]] void fail(const std::string& path, const std::string& what) const;
    [[noreturn]] void wrong_type(const std::string& path, const char* expected, const json& found) const;

    // The field, or nullptr when it is absent or null.
    const json* find(const json& object, const char* key) const;

    const json& object(const json& value, const std::string& path) const;
    // Absent or null fields give "" / false / 0 / an empty array or object.
    std::string string(const json& object, const char* key, const std::string& path) const;
    std::string required_string(const json& object, const char* key, const std::string& path) const;
    bool boolean(const json& object, const char* key, const std::string& path) const;
    std::optional<bool> optional_boolean(const json& object, const char* key, const std::string& path) const;
    std::int64_t integer(const json& object, const char* key, const std::string& path) const;
    const json& array(const json& object, const char* key, const std::string& path) const;
    const json& object_field(const json& object, const char* key, const std::string& path) const;
    std::vector<std::string> strings(const json& object, const char* key, const std::string& path) const;
    // Any JSON value, null when absent.
    json any(const json& object, const char* key) const;

private:
    const char* kind_;
};

}  // namespace tfstage::plan::detail
