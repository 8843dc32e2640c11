// Text, Markdown and JSON views of real plans; no value, sensitive or not, is ever printed.
#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/render.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;
using tfstage::test::fixtures_in;

namespace {

Summary rich() { return summarise_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json")); }

}  // namespace

TEST_CASE("render: text groups by module, colour only when asked") {
    std::string text = render_text(rich());
    CHECK(text.starts_with("Plan: 4 to add, 3 to change, 4 to destroy, 6 to replace, 1 to import, 1 to forget, 1 to read."));
    CHECK(text.find("(root module)") != std::string::npos);
    CHECK(text.find("\nmodule.app[\"web\"].module.dns\n") != std::string::npos);
    CHECK(text.find("-/+ terraform_data.cbd  replace (create before destroy) [replace_because_cannot_update]") != std::string::npos);
    CHECK(text.find("terraform_data.imported  import") != std::string::npos);
    CHECK(text.find("\x1b[") == std::string::npos);
    CHECK(render_text(rich(), {true}).find("\x1b[31m") != std::string::npos);
    CHECK(render_text(summarise_file(fixture("plan/tf-showjson-plan-error.json"))) == "No changes.\n");
}

TEST_CASE("render: markdown has a table of counts and a list per module") {
    std::string md = render_markdown(rich());
    CHECK(md.find("| create | update | delete | replace | read | import | no-op | forget |") != std::string::npos);
    CHECK(md.find("| 4 | 3 | 4 | 6 | 1 | 1 | 7 | 1 |") != std::string::npos);
    CHECK(md.find("#### `module.app[\"api\"]`") != std::string::npos);
    CHECK(md.find("- **delete** `terraform_data.subnet[2]` (delete_because_count_index)") != std::string::npos);
}

TEST_CASE("render: JSON shape") {
    auto json = nlohmann::json::parse(render_json(rich()));
    CHECK(json["schema_version"] == 1);
    CHECK(json["summary"] == nlohmann::json::parse(
                                 R"({"create":4,"update":3,"delete":4,"replace":6,"read":1,"import":1,"no_op":7,"forget":1,"total_changes":19})"));
    CHECK(json["changes"].size() == 20);
    CHECK(json["changes"][1]["address"] == "terraform_data.cbd");
    CHECK(json["changes"][1]["actions"] == nlohmann::json::parse(R"(["create","delete"])"));
    CHECK(json["changes"][1]["action_reason"] == "replace_because_cannot_update");
    CHECK(json["modules"][""]["replace"] == 6);
    CHECK(json["modules"]["module.app[\"api\"]"]["delete"] == 1);
}

TEST_CASE("render: no secret from any fixture reaches any view") {
    // Values known to be sensitive in the fixtures, in clear in the files.
    const char* secrets[] = {"correct-horse-battery"};
    for (const auto& path : fixtures_in("plan")) {
        CAPTURE(path.string());
        Summary s = summarise(parse_plan_file(path));
        std::string all = render_text(s) + render_markdown(s) + render_json(s);
        for (const char* secret : secrets) CHECK(all.find(secret) == std::string::npos);
    }
}
