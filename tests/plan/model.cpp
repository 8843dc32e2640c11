// The plan and state models on every fixture, the fields people review, and clear errors for
// broken input.
#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/plan.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;
using tfstage::test::fixtures_in;

namespace {

std::string error_of(const std::string& text, tfstage::ErrorCode expected = tfstage::ErrorCode::parse_error) {
    try {
        parse_plan(text);
    } catch (const tfstage::Error& e) {
        CHECK(e.code() == expected);
        return e.what();
    }
    FAIL("no error for: " << text);
    return "";
}

const ResourceChange& change_of(const Plan& plan, const std::string& address) {
    for (const auto& rc : plan.resource_changes)
        if (rc.address == address && rc.deposed.empty()) return rc;
    FAIL("no change for " << address);
    throw std::logic_error("unreachable");
}

std::string utf16le_with_bom(const std::string& ascii) {
    std::string out = "\xFF\xFE";
    for (char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

}  // namespace

TEST_CASE("plan model: every plan fixture parses") {
    for (const auto& path : fixtures_in("plan")) {
        CAPTURE(path.string());
        Plan plan = parse_plan_file(path);
        CHECK_FALSE(plan.format_version.empty());
    }
}

TEST_CASE("state model: every state fixture parses") {
    for (const auto& path : fixtures_in("state")) {
        CAPTURE(path.string());
        State state = parse_state_file(path);
        CHECK_FALSE(state.format_version.empty());
    }
    CHECK_FALSE(parse_state_file(fixture("state/tf-showjson-state-empty.json")).values);
}

TEST_CASE("plan model: actions, reasons, moves, imports, forget, deposed") {
    Plan plan = parse_plan_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    CHECK(plan.format_version == "1.2");
    CHECK(plan.terraform_version == "1.11.4");
    CHECK(plan.applyable == true);
    CHECK(plan.complete == true);
    CHECK_FALSE(plan.errored);
    CHECK_FALSE(plan.timestamp.empty());

    const auto& cbd = change_of(plan, "terraform_data.cbd");
    CHECK(cbd.change.kind == ChangeKind::replace);
    CHECK(cbd.change.create_before_destroy);
    CHECK(cbd.action_reason == "replace_because_cannot_update");
    const auto& dbc = change_of(plan, "terraform_data.dbc");
    CHECK(dbc.change.kind == ChangeKind::replace);
    CHECK_FALSE(dbc.change.create_before_destroy);
    CHECK(change_of(plan, "terraform_data.renamed").previous_address == "terraform_data.legacy_name");
    const auto& imported = change_of(plan, "terraform_data.imported");
    CHECK(imported.change.importing);
    CHECK(imported.change.importing_id == "imported-0001");
    CHECK(change_of(plan, "terraform_data.to_forget").change.kind == ChangeKind::forget);
    CHECK(change_of(plan, "terraform_data.subnet[2]").action_reason == "delete_because_count_index");
    CHECK(change_of(plan, "terraform_data.subnet[2]").index == 2);
    CHECK(cbd.change.replace_paths == nlohmann::json::parse(R"([["triggers_replace"]])"));
    CHECK(change_of(plan, "module.app[\"web\"].terraform_data.instance[2]").module_address == "module.app[\"web\"]");
    CHECK_FALSE(plan.output_changes.empty());
    CHECK_FALSE(plan.relevant_attributes.empty());
    CHECK(plan.prior_state);
    CHECK(plan.planned_values);
    CHECK(plan.configuration.root_module.module_calls.count("app") == 1);
    CHECK(plan.configuration.root_module.module_calls.at("app").has_for_each);

    Plan deposed = parse_plan_file(fixture("plan/gen-tf1.11-deposed-and-tainted-replace.json"));
    auto with_deposed = std::count_if(deposed.resource_changes.begin(), deposed.resource_changes.end(),
                                      [](const ResourceChange& rc) { return !rc.deposed.empty(); });
    CHECK(with_deposed == 1);
}

TEST_CASE("plan model: sensitive variable values are never kept") {
    std::string text = read_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    REQUIRE(text.find("correct-horse-battery") != std::string::npos);  // in clear in the file
    Plan plan = parse_plan(text);
    bool found = false;
    for (const auto& v : plan.variables) {
        if (v.name == "db_password") {
            found = true;
            CHECK(v.sensitive);
            CHECK(v.value.is_null());
        }
        if (v.name == "env") CHECK(v.value == "prod");
    }
    CHECK(found);
}

TEST_CASE("plan model: configuration module calls with source and references") {
    Plan plan = parse_plan_file(fixture("plan/gen-tf1.11-create-nested-modules-foreach-checks.json"));
    const auto& app = plan.configuration.root_module.module_calls.at("app");
    CHECK_FALSE(app.source.empty());
    CHECK(std::find(app.references.begin(), app.references.end(), "terraform_data.network") != app.references.end());
    REQUIRE(app.module);
    CHECK(app.module->module_calls.count("dns") == 1);

    Plan depends = parse_plan_file(fixture("plan/tfjson-tf0.13-module-depends-on.json"));
    CHECK(depends.configuration.root_module.module_calls.at("foo").depends_on == std::vector<std::string>{"null_resource.bar"});
}

TEST_CASE("state model: modules, sensitive outputs, tainted and deposed") {
    State state = parse_state_file(fixture("state/gen-tf1.11-state-modules-sensitive-outputs.json"));
    REQUIRE(state.values);
    bool any_sensitive = false;
    for (const auto& [name, output] : state.values->outputs) {
        if (output.sensitive) {
            any_sensitive = true;
            CHECK(output.value.is_null());
        }
    }
    CHECK(any_sensitive);
    CHECK_FALSE(state.values->root_module.child_modules.empty());
    CHECK(state.all_resources().size() > 5);

    State tainted = parse_state_file(fixture("state/gen-tf1.11-state-tainted-and-deposed.json"));
    auto resources = tainted.all_resources();
    CHECK(std::any_of(resources.begin(), resources.end(), [](const StateResource* r) { return r->tainted; }));
    CHECK(std::any_of(resources.begin(), resources.end(), [](const StateResource* r) { return !r->deposed_key.empty(); }));
}

TEST_CASE("plan model: format versions") {
    CHECK_NOTHROW(parse_plan(R"({"format_version":"0.1"})"));
    CHECK_NOTHROW(parse_plan(R"({"format_version":"1.9"})"));
    CHECK(error_of(R"({"format_version":"2.0"})", tfstage::ErrorCode::unsupported).find("\"2.0\"") != std::string::npos);
    CHECK(error_of(R"({"format_version":"banana"})").find("format_version") != std::string::npos);
    CHECK(error_of(R"({"format_version":1.2})").find("format_version") != std::string::npos);
    CHECK(error_of(R"({"resource_changes":[]})").find("format_version") != std::string::npos);
    CHECK_THROWS_AS(parse_state(R"({"format_version":"3.1"})"), tfstage::Error);
}

TEST_CASE("plan model: malformed, truncated and wrongly typed input name the problem") {
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("{").find("JSON") != std::string::npos);
    CHECK(error_of("{\"format_version\": \"1.2\",").find("JSON") != std::string::npos);
    CHECK(error_of("not json").find("JSON") != std::string::npos);
    CHECK(error_of("[]").find("the top level") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":{}})").find("resource_changes: expected an array") != std::string::npos);
    const char* wrong_actions =
        R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"]}},)"
        R"({"address":"a.c","change":{"actions":["create"]}},{"address":"a.d","change":{"actions":["create"]}},)"
        R"({"address":"a.e","change":{"actions":"create"}}]})";
    CHECK(error_of(wrong_actions).find("resource_changes[3].change.actions: expected an array, found string") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":[1]}}]})")
              .find("resource_changes[0].change.actions[0]: expected a string") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"change":{"actions":["create"]}}]})")
              .find("resource_changes[0].address: missing") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","errored":"no"})").find("errored: expected true or false") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","configuration":{"root_module":{"module_calls":{"vpc":{"source":5}}}}})")
              .find("configuration.root_module.module_calls.vpc.source") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","prior_state":{"format_version":"1.0","values":{"root_module":{"resources":[{"address":1}]}}}})")
              .find("prior_state.values.root_module.resources[0].address") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create","update"]}}]})")
              .find("unknown combination of actions [create, update]") != std::string::npos);
}

TEST_CASE("plan model: UTF-8 BOM and UTF-16 with a BOM are read, and UTF-16 without one is explained") {
    std::string text = R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"]}}]})";
    CHECK(parse_plan("\xEF\xBB\xBF" + text).resource_changes.size() == 1);
    CHECK(parse_plan(utf16le_with_bom(text)).resource_changes.size() == 1);
    std::string without_bom = utf16le_with_bom(text).substr(2);
    CHECK(error_of(without_bom).find("UTF-16") != std::string::npos);
    CHECK(to_utf8(std::string("\xFE\xFF\x00\x41\xD8\x3D\xDE\x00", 8)) == "A\xF0\x9F\x98\x80");
    CHECK_THROWS_AS(to_utf8(std::string("\xFF\xFE\x00\xD8", 4)), tfstage::Error);  // a lone surrogate
}
