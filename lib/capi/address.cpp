// tfs_address_*: parse, match and expand Terraform addresses (pure functions).
#include <string>

#include "address/address.hpp"
#include "guard.hpp"
#include "json_request.hpp"
#include "tfstage/address.h"

namespace tfstage::capi {
namespace {
using json = nlohmann::json;

// The header promises TFS_EPARSE for a malformed address (the core says invalid_argument).
[[noreturn]] void rethrow_as_parse_error(const address::AddressError& e) { throw Error(ErrorCode::parse_error, e.what()); }

json key_json(const address::InstanceKey& key) {
    switch (key.kind) {
        case address::InstanceKey::Kind::integer: return key.integer;
        case address::InstanceKey::Kind::string: return key.text;
        default: return nullptr;
    }
}

json describe(const address::Address& parsed) {
    json out = result_object();
    const json core = address::to_json(parsed);
    for (const auto& [key, value] : core.items()) out[key] = value;
    out["address"] = address::to_string(parsed);
    json steps = json::array();
    for (const auto& step : parsed.module_path) steps.push_back({{"name", step.name}, {"key", key_json(step.key)}});
    out["module_path"] = steps;
    out["module_address"] = parsed.module_address();
    out["is_module"] = parsed.is_module();
    if (parsed.resource) {
        out["mode"] = parsed.resource->mode == address::Mode::data ? "data" : "managed";
        out["type"] = parsed.resource->type;
        out["name"] = parsed.resource->name;
        out["key"] = key_json(parsed.resource->key);
    } else {
        out["mode"] = nullptr;
        out["type"] = nullptr;
        out["name"] = nullptr;
        out["key"] = nullptr;
    }
    return out;
}

}  // namespace
}  // namespace tfstage::capi

using namespace tfstage;
using namespace tfstage::capi;

extern "C" {

int tfs_address_parse(const char* text, char** out_json) {
    return guard([&] {
        require(out_json, "out_json");
        *out_json = nullptr;
        require(text, "text");
        address::Address parsed;
        try {
            parsed = address::parse(text);
        } catch (const address::AddressError& e) {
            rethrow_as_parse_error(e);
        }
        *out_json = dup_string(dump(describe(parsed)));
        return TFS_OK;
    });
}

int tfs_address_match(const char* pattern, const char* address_text, int* out_matches) {
    return guard([&] {
        require(out_matches, "out_matches");
        *out_matches = 0;
        require(pattern, "pattern");
        require(address_text, "address");
        try {
            const auto p = address::parse_pattern(pattern);
            const auto a = address::parse(address_text);
            *out_matches = p.covers(a) ? 1 : 0;
        } catch (const address::AddressError& e) {
            rethrow_as_parse_error(e);
        }
        return TFS_OK;
    });
}

int tfs_address_expand(const char* pattern, const char* known_addresses_json, char** out_json) {
    return guard([&] {
        require(out_json, "out_json");
        *out_json = nullptr;
        require(pattern, "pattern");
        const auto texts = parse_string_array(known_addresses_json, "known_addresses_json");
        nlohmann::json matches = nlohmann::json::array();
        try {
            std::vector<address::Address> known;
            known.reserve(texts.size());
            for (const auto& text : texts) known.push_back(address::parse(text));
            for (const auto& match : address::expand(pattern, known)) matches.push_back(address::to_string(match));
        } catch (const address::AddressError& e) {
            rethrow_as_parse_error(e);
        }
        *out_json = dup_string(dump(matches));
        return TFS_OK;
    });
}

}  // extern "C"
