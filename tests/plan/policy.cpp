// Policies on real plans: protected addresses, change caps, approval, type deny lists.
#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/policy.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;

namespace {

Plan rich() { return parse_plan_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json")); }

std::vector<std::string> addresses_of(const std::vector<Violation>& violations, const std::string& rule) {
    std::vector<std::string> out;
    for (const auto& v : violations)
        if (v.rule == rule) out.push_back(v.address);
    return out;
}

}  // namespace

TEST_CASE("policy: deny delete or replace of patterns") {
    auto rules = parse_policy_yaml("deny_delete: ['module.app[\"api\"]', 'terraform_data.subnet']\n");
    auto violations = evaluate(rules, rich());
    CHECK(addresses_of(violations, "deny_delete") ==
          std::vector<std::string>{"terraform_data.subnet[0]", "terraform_data.subnet[2]", "module.app[\"api\"].terraform_data.instance[0]",
                                   "module.app[\"api\"].module.dns.terraform_data.record[\"r0\"]"});
    CHECK(render_violations(violations).find("deny_delete: terraform_data.subnet[0] would be replaced; protected by terraform_data.subnet") !=
          std::string::npos);
    // A creating plan deletes nothing.
    CHECK(evaluate(rules, parse_plan_file(fixture("plan/gen-tf1.11-create-nested-modules-foreach-checks.json"))).empty());
}

TEST_CASE("policy: wildcard patterns") {
    auto rules = parse_policy_json(R"({"deny_delete": ["module.*.**"]})");
    CHECK(addresses_of(evaluate(rules, rich()), "deny_delete").size() == 2);
    auto destroy = parse_plan_file(fixture("plan/gen-tf1.11-destroy-plan.json"));
    CHECK(addresses_of(evaluate(rules, destroy), "deny_delete").size() == 6);
}

TEST_CASE("policy: max changes") {
    auto violations = evaluate(parse_policy_json(R"({"max_changes": 10})"), rich());
    REQUIRE(violations.size() == 1);
    CHECK(violations[0].rule == "max_changes");
    CHECK(violations[0].detail == "19 changes exceed the maximum of 10");
    CHECK(evaluate(parse_policy_json(R"({"max_changes": 19})"), rich()).empty());
}

TEST_CASE("policy: any delete needs approval") {
    auto rules = parse_policy_yaml("require_approval_for_delete: true");
    auto violations = evaluate(rules, rich());
    CHECK(addresses_of(violations, "approval_required").size() == 10);  // 4 deletes + 6 replaces
    CHECK(evaluate(rules, rich(), {true}).empty());
}

TEST_CASE("policy: deny list of resource types") {
    auto rules = parse_policy_yaml("deny_resource_types:\n  - terraform_data\n  - aws_iam_user\n");
    auto violations = evaluate(rules, rich());
    CHECK(addresses_of(violations, "deny_resource_types").size() == 18);  // every change but the read and the no-op import
    auto aws = parse_plan_file(fixture("plan/gen-tf1.11-aws-provider-offline-create.json"));
    CHECK(evaluate(parse_policy_yaml("deny_resource_types: [aws_iam_role]"), aws).size() == 1);
}

TEST_CASE("policy: clear errors for unknown keys and wrong types") {
    CHECK_THROWS_WITH(parse_policy_json(R"({"deny_delet": []})"), doctest::Contains("deny_delet: unknown key"));
    CHECK_THROWS_WITH(parse_policy_json(R"({"max_changes": "ten"})"), doctest::Contains("max_changes: expected a non-negative integer"));
    CHECK_THROWS_WITH(parse_policy_json(R"({"deny_delete": "module.a"})"), doctest::Contains("deny_delete: expected a list"));
    CHECK_THROWS_WITH(parse_policy_json(R"({"deny_delete": [1]})"), doctest::Contains("deny_delete[0]: expected a string"));
    CHECK_THROWS_WITH(parse_policy_json("{"), doctest::Contains("invalid policy JSON"));
    CHECK_THROWS_WITH(parse_policy_yaml("max_changes: lots"), doctest::Contains("max_changes: expected a non-negative integer"));
    CHECK_THROWS_WITH(parse_policy_yaml("require_approval_for_delete: maybe"), doctest::Contains("expected true or false"));
    CHECK_THROWS_WITH(parse_policy_yaml("colour: blue"), doctest::Contains("colour: unknown key"));
    CHECK_THROWS_WITH(parse_policy_yaml("deny_delete: [a"), doctest::Contains("invalid policy YAML"));
    CHECK_THROWS_WITH(parse_policy_yaml("- a"), doctest::Contains("expected a mapping"));
    CHECK_THROWS_AS(parse_policy_yaml("deny_delete: ['module..x']"), tfstage::address::AddressError);
}
