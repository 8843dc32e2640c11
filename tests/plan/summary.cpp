// Summary counts, checked against numbers read from the fixtures by hand (python/jq), and
// the fast simdjson path checked against the full model on every fixture.
#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/summary.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;
using tfstage::test::fixtures_in;

namespace {

struct Expected {
    const char* file;
    Counts counts;  // create, update, delete, replace, read, import, no_op, forget, total_changes
};

// Counted by hand from each file's resource_changes[].change.actions and .importing.
const Expected expected_counts[] = {
    {"gen-tf1.11-aws-provider-offline-create.json", {5, 0, 0, 0, 0, 0, 0, 0, 5}},
    {"gen-tf1.11-create-nested-modules-foreach-checks.json", {20, 0, 0, 0, 1, 0, 0, 0, 20}},
    {"gen-tf1.11-deposed-and-tainted-replace.json", {0, 0, 1, 1, 0, 0, 19, 0, 2}},
    {"gen-tf1.11-destroy-plan.json", {0, 0, 20, 0, 0, 0, 0, 0, 20}},
    {"gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json", {4, 3, 4, 6, 1, 1, 7, 1, 19}},
    {"hcp-redacted-import-generated-config.json", {0, 0, 0, 0, 0, 1, 1, 0, 1}},
    {"tf-equiv-data-read.json", {3, 0, 0, 0, 1, 0, 0, 0, 3}},
    {"tf-showjson-conditions.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tf-showjson-drift.json", {0, 2, 0, 0, 0, 0, 0, 0, 2}},
    {"tf-showjson-modules.json", {4, 0, 0, 0, 0, 0, 0, 0, 4}},
    {"tf-showjson-plan-error.json", {0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"tfcompliance-tf1.14-relevant-attrs.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tfjson-tf0.12-basic-modules-outputs.json", {7, 0, 0, 0, 1, 0, 0, 0, 7}},
    {"tfjson-tf0.13-module-depends-on.json", {2, 0, 0, 0, 1, 0, 0, 0, 2}},
    {"tfjson-tf1.1-sensitive-values.json", {7, 0, 0, 0, 0, 0, 0, 0, 7}},
    {"tfjson-tf1.13dev-identity-update.json", {0, 1, 0, 0, 0, 1, 0, 0, 1}},
    {"tfjson-tf1.2-basic-format1.1.json", {7, 0, 0, 0, 0, 0, 0, 0, 7}},
    {"tfjson-tf1.5-checks.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tfsummarize-tf1.1-foreach-drift-compact.json", {7, 0, 0, 0, 0, 0, 1, 0, 7}},
    {"tofu-equiv-complex-destroy.json", {0, 0, 1, 0, 0, 0, 0, 0, 1}},
};

}  // namespace

TEST_CASE("plan summary: counts match the hand-counted fixtures, on both paths") {
    for (const auto& e : expected_counts) {
        CAPTURE(e.file);
        auto path = fixture(std::string("plan/") + e.file);
        CHECK(summarise(parse_plan_file(path)).overall == e.counts);
        CHECK(summarise_file(path).overall == e.counts);
    }
}

TEST_CASE("plan summary: both paths agree on every plan fixture, modules and changes included") {
    for (const auto& path : fixtures_in("plan")) {
        CAPTURE(path.string());
        Summary full = summarise(parse_plan_file(path));
        CHECK(summarise_file(path) == full);
        CHECK(summarise_text(read_file(path)) == full);
    }
}

TEST_CASE("plan summary: per module counts (root is \"\")") {
    Summary s = summarise_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    REQUIRE(s.modules.size() == 5);
    CHECK(s.modules.at("") == Counts{2, 3, 2, 6, 1, 1, 3, 1, 15});
    CHECK(s.modules.at("module.app[\"api\"]") == Counts{0, 0, 1, 0, 0, 0, 0, 0, 1});
    CHECK(s.modules.at("module.app[\"web\"]") == Counts{1, 0, 0, 0, 0, 0, 2, 0, 1});
    CHECK(s.modules.at("module.app[\"api\"].module.dns") == Counts{0, 0, 1, 0, 0, 0, 0, 0, 1});
    CHECK(s.modules.at("module.app[\"web\"].module.dns") == Counts{1, 0, 0, 0, 0, 0, 2, 0, 1});

    // Plain no-ops are left out of the change list; the no-op import stays.
    CHECK(s.changes.size() == 26 - 7 + 1);
    auto imported = std::find_if(s.changes.begin(), s.changes.end(), [](const ChangeEntry& c) { return c.importing; });
    REQUIRE(imported != s.changes.end());
    CHECK(imported->address == "terraform_data.imported");
    CHECK(imported->kind == ChangeKind::no_op);
    CHECK(s.changes[1].address == "terraform_data.cbd");
    CHECK(s.changes[1].kind == ChangeKind::replace);
    CHECK(s.changes[1].action_reason == "replace_because_cannot_update");
    CHECK(s.changes[1].actions == std::vector<std::string>{"create", "delete"});
}

TEST_CASE("plan summary: the fast path reports errors with the JSON path") {
    auto error_of = [](const std::string& text) -> std::string {
        try {
            summarise_text(text);
        } catch (const tfstage::Error& e) {
            CHECK(e.code() == tfstage::ErrorCode::parse_error);
            return e.what();
        }
        FAIL("no error for: " << text);
        return "";
    };
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":"create"}}]})")
              .find("resource_changes[0].change.actions") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"]}},{"address":7}]})")
              .find("resource_changes[1].address") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["jump"]}}]})")
              .find("unknown combination") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b"}]})").find("resource_changes[0].change") !=
          std::string::npos);
    CHECK(error_of(R"({"resource_changes":[]})").find("format_version") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"act)").size() > 0);
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("[1,2]").size() > 0);
    CHECK(error_of(R"({"format_version":"1.2"} trailing)").size() > 0);
    CHECK_THROWS_WITH_AS(summarise_text(R"({"format_version":"2.0","resource_changes":[]})"), doctest::Contains("2.0"), tfstage::Error);
}

TEST_CASE("plan summary: truncating a real plan anywhere gives an error, never a crash") {
    std::string text = read_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    for (std::size_t cut = 0; cut < text.size(); cut += 97) {
        CAPTURE(cut);
        std::string truncated = text.substr(0, cut);
        CHECK_THROWS_AS(summarise_text(truncated), tfstage::Error);
        CHECK_THROWS_AS(parse_plan(truncated), tfstage::Error);
    }
}
