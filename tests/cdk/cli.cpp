// The cdk driver on its own, with the real CLI and the example app (no AWS needed: synth and
// list make no network call): CLI discovery, synth into a directory, `list --long
// --show-dependencies --json`, and the waves of the real assembly.
#include <doctest/doctest.h>

#include <set>

#include "cdk/assembly.hpp"
#include "cdk/cli.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
namespace fs = std::filesystem;

TEST_CASE("cdk cli: synth and list of the seed 001 app give the stacks and their order") {
    const fs::path app = test::source_dir("examples/ceap-cdk");
    REQUIRE_MESSAGE(fs::exists(app / "node_modules" / ".bin" / "cdk"), "run scripts/setup (npm ci in examples/ceap-cdk)");
    test::TempDir tmp;

    cdk::CliOptions options;
    options.working_dir = app;
    cdk::Cli cli(options);
    CHECK(cli.binary() == app / "node_modules" / ".bin" / "cdk");
    CHECK(cli.version().rfind("2.1148.1", 0) == 0);

    cdk::SynthOptions synth;
    synth.output = tmp.path() / "cdk.out.consolidated";
    synth.context = {{"environment", "prod"}};
    cli.synth(synth);

    const auto assembly = cdk::read_assembly(synth.output);
    CHECK(assembly.stacks.size() == 9);
    const auto waves = cdk::deploy_waves(assembly, {"CeapServingAPI-prod", "CeapDatabase-prod", "CeapDataPlatform-prod"});
    // Each wave keeps the order the stacks were asked in.
    CHECK(cdk::describe_waves(waves) == "CeapDatabase-prod then [CeapServingAPI-prod + CeapDataPlatform-prod]");
    CHECK(assembly.find("CeapDatabase-prod")->environment == "aws://123456789012/us-east-1");

    cdk::ListOptions list;
    list.app = synth.output.string();
    const auto listed = cli.list(list);
    REQUIRE(listed.is_array());
    std::set<std::string> ids;
    for (const auto& stack : listed) {
        ids.insert(stack.value("id", ""));
        if (stack.value("id", "") == "CeapServingAPI-prod") {
            bool on_database = false;
            for (const auto& dep : stack.value("dependencies", nlohmann::json::array()))
                if (dep.value("id", "") == "CeapDatabase-prod") on_database = true;
            CHECK(on_database);
        }
    }
    CHECK(ids.count("CeapDatabase-prod") == 1);
    CHECK(ids.count("CeapOrchestration-prod") == 1);
    CHECK(cli.launches() == 3);

    // A stack the app does not have: the CLI fails, and the error says what it ran.
    cdk::SynthOptions wrong = synth;
    wrong.stacks = {"NoSuchStack-prod"};
    try {
        cli.synth(wrong);
        FAIL("expected an error");
    } catch (const cdk::CdkError& e) {
        CHECK(e.exit_code() != 0);
        CHECK(std::string(e.what()).find("cdk synth failed") == 0);
    }
}

TEST_CASE("cdk cli: a missing CLI is a clear error") {
    test::TempDir tmp;
    CHECK_THROWS_WITH_AS(cdk::discover_cli(tmp.path() / "no" / "cdk", tmp.path()), doctest::Contains("does not exist"), Error);
}
