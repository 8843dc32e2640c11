// Policies evaluated on a plan before any apply: protected addresses, a cap on changes,
// approval for deletes, forbidden resource types. Rules load from JSON or YAML:
//
//   deny_delete: ["module.data_stores.**", "aws_kms_key.*"]   # no delete or replace there
//   max_changes: 25
//   require_approval_for_delete: true
//   deny_resource_types: ["aws_iam_user"]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "address/address.hpp"
#include "plan/plan.hpp"
#include "plan/summary.hpp"

namespace tfstage::plan {

struct PolicyRules {
    // Patterns (address::Pattern, covering what is inside) whose resources may not be
    // deleted or replaced.
    std::vector<std::string> deny_delete;
    std::optional<std::int64_t> max_changes;  // Counts::total_changes may not exceed it
    bool require_approval_for_delete = false;
    std::vector<std::string> deny_resource_types;  // no change of any kind to these types
};

struct Violation {
    std::string rule;     // "deny_delete", "max_changes", "approval_required", "deny_resource_types"
    std::string address;  // the offending resource; "" for max_changes
    std::string detail;   // e.g. the matching pattern, or "30 changes > 25"

    bool operator==(const Violation&) const = default;
};

struct PolicyContext {
    bool approved = false;  // an explicit approval of deletes was given
};

// Throw Error(parse_error) naming the key for unknown keys and wrong types, and
// AddressError for a bad pattern.
PolicyRules parse_policy_json(std::string_view text);
PolicyRules parse_policy_yaml(std::string_view text);  // YAML is a superset: JSON works too

std::vector<Violation> evaluate(const PolicyRules& rules, const Summary& summary, const PolicyContext& context = {});
std::vector<Violation> evaluate(const PolicyRules& rules, const Plan& plan, const PolicyContext& context = {});

// One line per violation: "deny_delete: module.db.aws_db_instance.main would be replaced (module.db.**)".
std::string render_violations(const std::vector<Violation>& violations);
nlohmann::json to_json(const std::vector<Violation>& violations);

}  // namespace tfstage::plan
