#include "plan/policy.hpp"

#include <yaml-cpp/yaml.h>

#include "support/error.hpp"

namespace tfstage::plan {
namespace {

const char* const known_keys = "deny_delete, max_changes, require_approval_for_delete, deny_resource_types";

[[noreturn]] void policy_error(const std::string& key, const std::string& what) {
    throw Error(ErrorCode::parse_error, "invalid policy at " + key + ": " + what);
}

// Checks every pattern now, so that a typo fails when the rules load, not at apply time.
void validate_patterns(const std::vector<std::string>& patterns) {
    for (const auto& pattern : patterns) address::parse_pattern(pattern);
}

std::vector<std::string> json_strings(const nlohmann::json& value, const std::string& key) {
    if (!value.is_array()) policy_error(key, std::string("expected a list of strings, found ") + value.type_name());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) policy_error(key + "[" + std::to_string(i) + "]", std::string("expected a string, found ") + value[i].type_name());
        out.push_back(value[i].get<std::string>());
    }
    return out;
}

std::vector<std::string> yaml_strings(const YAML::Node& value, const std::string& key) {
    if (!value.IsSequence()) policy_error(key, "expected a list of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].IsScalar()) policy_error(key + "[" + std::to_string(i) + "]", "expected a string");
        out.push_back(value[i].as<std::string>());
    }
    return out;
}

bool is_delete(const ChangeEntry& change) {
    return change.kind == ChangeKind::delete_ || change.kind == ChangeKind::replace;
}

void check_deny_delete(const PolicyRules& rules, const ChangeEntry& change, const address::Address& parsed, std::vector<Violation>& out) {
    if (!is_delete(change)) return;
    for (const auto& text : rules.deny_delete) {
        if (address::parse_pattern(text).covers(parsed)) {
            out.push_back({"deny_delete", change.address, std::string("would be ") + (change.kind == ChangeKind::replace ? "replaced" : "deleted") + "; protected by " + text});
            return;
        }
    }
}

}  // namespace

PolicyRules parse_policy_json(std::string_view text) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::parse_error, std::string("invalid policy JSON: ") + e.what());
    }
    if (!doc.is_object()) policy_error("the top level", "expected an object");
    PolicyRules rules;
    for (const auto& [key, value] : doc.items()) {
        if (key == "deny_delete") rules.deny_delete = json_strings(value, key);
        else if (key == "deny_resource_types") rules.deny_resource_types = json_strings(value, key);
        else if (key == "max_changes") {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 0) policy_error(key, "expected a non-negative integer");
            rules.max_changes = value.get<std::int64_t>();
        } else if (key == "require_approval_for_delete") {
            if (!value.is_boolean()) policy_error(key, "expected true or false");
            rules.require_approval_for_delete = value.get<bool>();
        } else {
            policy_error(key, std::string("unknown key (known keys: ") + known_keys + ")");
        }
    }
    validate_patterns(rules.deny_delete);
    return rules;
}

PolicyRules parse_policy_yaml(std::string_view text) {
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw Error(ErrorCode::parse_error, std::string("invalid policy YAML: ") + e.what());
    }
    PolicyRules rules;
    if (doc.IsNull()) return rules;
    if (!doc.IsMap()) policy_error("the top level", "expected a mapping");
    for (const auto& item : doc) {
        std::string key = item.first.as<std::string>();
        const YAML::Node& value = item.second;
        try {
            if (key == "deny_delete") rules.deny_delete = yaml_strings(value, key);
            else if (key == "deny_resource_types") rules.deny_resource_types = yaml_strings(value, key);
            else if (key == "max_changes") {
                auto n = value.as<std::int64_t>();
                if (n < 0) policy_error(key, "expected a non-negative integer");
                rules.max_changes = n;
            } else if (key == "require_approval_for_delete") {
                rules.require_approval_for_delete = value.as<bool>();
            } else {
                policy_error(key, std::string("unknown key (known keys: ") + known_keys + ")");
            }
        } catch (const YAML::Exception&) {
            policy_error(key, key == "max_changes" ? "expected a non-negative integer" : "expected true or false");
        }
    }
    validate_patterns(rules.deny_delete);
    return rules;
}

std::vector<Violation> evaluate(const PolicyRules& rules, const Summary& summary, const PolicyContext& context) {
    std::vector<Violation> out;
    for (const auto& change : summary.changes) {
        address::Address parsed;
        try {
            parsed = address::parse(change.address);
        } catch (const address::AddressError&) {
            continue;
        }
        check_deny_delete(rules, change, parsed, out);
        if (rules.require_approval_for_delete && is_delete(change) && !context.approved)
            out.push_back({"approval_required", change.address, "a delete needs explicit approval"});
        bool changes_something = change.kind != ChangeKind::no_op && change.kind != ChangeKind::read;
        std::string type = parsed.resource ? parsed.resource->type : "";
        for (const auto& denied : rules.deny_resource_types)
            if (changes_something && type == denied) out.push_back({"deny_resource_types", change.address, "type " + denied + " may not be changed"});
    }
    if (rules.max_changes && summary.overall.total_changes > *rules.max_changes)
        out.push_back({"max_changes", "", std::to_string(summary.overall.total_changes) + " changes exceed the maximum of " + std::to_string(*rules.max_changes)});
    return out;
}

std::vector<Violation> evaluate(const PolicyRules& rules, const Plan& plan, const PolicyContext& context) {
    return evaluate(rules, summarise(plan), context);
}

std::string render_violations(const std::vector<Violation>& violations) {
    std::string out;
    for (const auto& v : violations) out += v.rule + ": " + (v.address.empty() ? "" : v.address + " ") + v.detail + "\n";
    return out;
}

nlohmann::json to_json(const std::vector<Violation>& violations) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : violations) out.push_back({{"rule", v.rule}, {"address", v.address}, {"detail", v.detail}});
    return out;
}

}  // namespace tfstage::plan
