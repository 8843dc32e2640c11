// JSON text crossing the boundary: requests (options) read with schema_version rules and typed
// getters that name the key when its type is wrong, and results written with schema_version.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfstage::capi {

// A parsed request of one option kind (option_keys.hpp): NULL text means {} (defaults).
// Error(parse_error) for invalid JSON or a non-object; Error(invalid_argument) for a key the
// kind does not have (naming it, the closest known key and the known keys) or a schema_version
// that is not an integer; Error(unsupported) for one newer than TFS_SCHEMA_VERSION.
class Request {
public:
    Request(const char* text, const char* kind);

    bool has(const char* key) const;
    std::optional<std::string> string(const char* key) const;
    std::optional<bool> boolean(const char* key) const;
    std::optional<std::int64_t> integer(const char* key, std::int64_t min, std::int64_t max) const;
    std::vector<std::string> strings(const char* key) const;                 // array of strings; [] when absent
    std::map<std::string, std::string> string_map(const char* key) const;    // object of strings; {} when absent

private:
    const nlohmann::json* find(const char* key) const;  // nullptr when absent or null
    [[noreturn]] void wrong_type(const char* key, const char* expected) const;

    std::string what_;
    nlohmann::json document_;
};

// A JSON array of strings given on its own (addresses, known addresses). `what` names it.
std::vector<std::string> parse_string_array(const char* text, const char* what);

// Dumps a document for C: invalid UTF-8 is replaced, never thrown on.
std::string dump(const nlohmann::json& document);

// A result document with "schema_version": 1 first.
nlohmann::json result_object();

}  // namespace tfstage::capi
