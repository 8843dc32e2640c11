// The command itself, as checks outside the team run it: `tfstage show`, `address parse`,
// `targets expand`, `stages suggest`, and the provenance `engine plan --out` leaves behind.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "plan/provenance.hpp"
#include "process/process.hpp"
#include "support/fixtures.hpp"
#include "support/moto.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
namespace fs = std::filesystem;

namespace {

process::Result tfstage_cli(const std::vector<std::string>& args) {
    process::Command command;
    command.argv = {TFSTAGE_BINARY_DIR "/cmd/tfstage/tfstage"};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = {{"TFSTAGE_CLI_CONFIG", test::cli_config().string()}, {"NO_COLOR", "1"}};
    command.env_drop = {"TFSTAGE_TERRAFORM"};
    return process::run(command);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

const char* kRichFixture = "plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json";

}  // namespace

TEST_CASE("cli: show DOCUMENT --json prints one object with the summary counts and the changes") {
    const auto result = tfstage_cli({"show", test::fixture(kRichFixture).string(), "--json"});
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    REQUIRE(lines_of(result.out).size() == 1);
    const auto out = nlohmann::json::parse(result.out);
    const auto& summary = out.at("summary");
    CHECK(summary.at("create") == 4);
    CHECK(summary.at("update") == 3);
    CHECK(summary.at("delete") == 4);
    CHECK(summary.at("replace") == 6);
    CHECK(summary.at("read") == 1);
    CHECK(summary.at("import") == 1);
    CHECK(summary.at("forget") == 1);
    CHECK(summary.at("no_op") == 7);  // the imported no-op counts here too
    CHECK(summary.at("total_changes") == 19);
    CHECK_FALSE(out.contains("provenance"));  // a JSON document has no record next to it
    REQUIRE(out.at("changes").is_array());
    bool found = false;
    for (const auto& change : out["changes"]) {
        CHECK(change.contains("address"));
        CHECK(change.at("actions").is_array());
        CHECK(change.contains("action_reason"));
        if (change["address"] == "terraform_data.subnet[0]") {
            found = true;
            CHECK(change["actions"] == nlohmann::json{"delete", "create"});
            CHECK(change["action_reason"] == "replace_by_request");
        }
    }
    CHECK(found);
}

TEST_CASE("cli: show DOCUMENT prints the human summary, --markdown Markdown") {
    const auto text = tfstage_cli({"show", test::fixture(kRichFixture).string()});
    REQUIRE_MESSAGE(text.exit_code == 0, text.err);
    CHECK(text.out.find("Plan: 4 to add, 3 to change, 4 to destroy, 6 to replace") != std::string::npos);
    CHECK(text.out.find("module.app[\"web\"]") != std::string::npos);
    CHECK(text.out.find("\x1b[") == std::string::npos);  // NO_COLOR and not a terminal

    const auto markdown = tfstage_cli({"show", test::fixture(kRichFixture).string(), "--markdown"});
    REQUIRE(markdown.exit_code == 0);
    CHECK(markdown.out.find("`terraform_data.subnet[0]`") != std::string::npos);
}

TEST_CASE("cli: address parse prints the structure, and a bad address exits non-zero naming the column") {
    const auto good = tfstage_cli({"address", "parse", "module.a[\"x\"].aws_instance.web[2]", "--json"});
    REQUIRE_MESSAGE(good.exit_code == 0, good.err);
    const auto parsed = nlohmann::json::parse(good.out);
    CHECK(parsed.at("address") == "module.a[\"x\"].aws_instance.web[2]");
    CHECK(parsed.at("resource").at("type") == "aws_instance");

    const auto bad = tfstage_cli({"address", "parse", "module.a[", "--json"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("column 10") != std::string::npos);
    CHECK(nlohmann::json::parse(bad.out).at("error").at("column") == 10);

    const auto bare = tfstage_cli({"address", "parse", "aws_security_group"});
    CHECK(bare.exit_code == 2);
    CHECK(bare.err.find("tfstage targets expand aws_security_group") != std::string::npos);
}

TEST_CASE("cli: on the example, engine plan --out records provenance, show reads it, targets expand and stages suggest") {
    test::MotoServer moto;
    test::TempDir dir;
    test::copy_config(test::source_dir("examples/seed-000"), dir.path());
    const std::string root = dir.path().string();
    const std::string endpoint_var = "aws_endpoint=" + moto.endpoint();
    const std::string var_file = (dir.path() / "environments" / "prod.tfvars").string();
    REQUIRE(tfstage_cli({"-C", root, "engine", "init"}).exit_code == 0);

    // (d) a bare type expands to exactly the example's security groups (none exists yet).
    auto expand = tfstage_cli({"targets", "expand", "aws_security_group", "-C", root, "--var", endpoint_var,
                               "--var-file", var_file});
    REQUIRE_MESSAGE(expand.exit_code == 0, expand.err);
    CHECK(lines_of(expand.out) ==
          std::vector<std::string>{"aws_security_group.kafka", "aws_security_group.lambda", "aws_security_group.neo4j"});
    expand = tfstage_cli({"targets", "expand", "module.*.aws_sns_topic.*", "-C", root, "--var", endpoint_var});
    REQUIRE_MESSAGE(expand.exit_code == 0, expand.err);
    CHECK(lines_of(expand.out) == std::vector<std::string>{"module.monitoring.aws_sns_topic.monitoring"});
    expand = tfstage_cli({"targets", "expand", "aws_instance", "-C", root, "--var", endpoint_var});
    CHECK(expand.exit_code == 1);
    CHECK(expand.err.find("no address") != std::string::npos);

    const auto stages = tfstage_cli({"stages", "suggest", "-C", root, "--var", endpoint_var, "--json"});
    REQUIRE_MESSAGE(stages.exit_code == 0, stages.err);
    CHECK(nlohmann::json::parse(stages.out).at("groups") ==
          nlohmann::json{{"vpc"}, {"data_stores", "kafka"}, {"lambda_processors"}, {"monitoring"}});

    // A saved plan gets its provenance record; show prints it and checks the hash.
    const auto plan_file = dir.path() / "prod.plan";
    const auto planned = tfstage_cli({"-C", root, "engine", "plan", "--out", plan_file.string(), "--var", endpoint_var,
                                      "--var-file", var_file, "--target", "module.vpc"});
    REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
    const auto record_path = plan::provenance_path(plan_file);
    const auto record = plan::read_provenance(record_path);
    CHECK(record.plan_sha256 == plan::sha256_file(plan_file));
    CHECK(record.targets == std::vector<std::string>{"module.vpc"});
    CHECK(record.workspace == "default");
    CHECK(test::read_text(record_path).find(moto.endpoint()) == std::string::npos);  // -var values: never recorded

    const auto shown = tfstage_cli({"show", plan_file.string(), "--json"});  // no -C: the record names the root
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    const auto out = nlohmann::json::parse(shown.out);
    CHECK(out.at("summary").at("create").get<int>() > 0);
    CHECK(out.at("provenance").at("plan_sha256") == record.plan_sha256);
    CHECK(out.at("provenance").at("plan_matches") == true);
    for (const auto& change : out.at("changes"))
        CHECK(change.at("address").get<std::string>().starts_with("module.vpc."));
}
