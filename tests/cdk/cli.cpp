// The cdk driver on its own, with the real CLI and the example app (no AWS needed: synth and
// list make no network call): CLI discovery, synth into a directory, `list --long
// --show-dependencies --json`, and the waves of the real assembly.
#include <doctest/doctest.h>

#include <cstdlib>
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

TEST_CASE("cdk cli: found in node_modules of a parent directory, then on PATH") {
    const fs::path app = test::source_dir("examples/ceap-cdk");
    const fs::path installed = app / "node_modules" / ".bin" / "cdk";
    REQUIRE_MESSAGE(fs::exists(installed), "run scripts/setup (npm ci in examples/ceap-cdk)");

    // An app in a subdirectory of the package that holds node_modules.
    CHECK(cdk::discover_cli({}, app / "lib") == installed);

    // No node_modules anywhere above: the `cdk` on PATH (here, the installed one's directory).
    test::TempDir tmp;
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path ? old_path : "";
    ::setenv("PATH", (installed.parent_path().string() + ":" + saved).c_str(), 1);
    CHECK(cdk::discover_cli({}, tmp.path()) == installed);
    // A bare name is looked up on PATH too.
    CHECK(cdk::discover_cli("cdk", tmp.path()) == installed);
    ::setenv("PATH", "/nonexistent", 1);
    CHECK_THROWS_WITH_AS(cdk::discover_cli({}, tmp.path()), doctest::Contains("npm install aws-cdk@2.1148.1"), Error);
    CHECK_THROWS_WITH_AS(cdk::discover_cli("cdk", tmp.path()), doctest::Contains("is not on PATH"), Error);
    ::setenv("PATH", saved.c_str(), 1);
}

TEST_CASE("cdk cli: the typed options become the CLI's flags") {
    const fs::path app = test::source_dir("examples/ceap-cdk");
    REQUIRE_MESSAGE(fs::exists(app / "node_modules" / ".bin" / "cdk"), "run scripts/setup (npm ci in examples/ceap-cdk)");
    cdk::CliOptions options;
    options.working_dir = app;
    cdk::Cli cli(options);
    using Argv = std::vector<std::string>;

    // Seed 001's second deploy.
    cdk::DeployOptions deploy;
    deploy.stacks = {"CeapDataPlatform-prod", "CeapServingAPI-prod"};
    deploy.app = "cdk.out.consolidated";
    deploy.context = {{"environment", "prod"}};
    deploy.concurrency = 2;
    deploy.method = "direct";
    deploy.outputs_file = "out.json";
    CHECK(cli.deploy_argv(deploy) ==
          Argv{"deploy", "CeapDataPlatform-prod", "CeapServingAPI-prod", "--app", "cdk.out.consolidated", "--context",
               "environment=prod", "--concurrency", "2", "--require-approval", "never", "--exclusively", "--method", "direct",
               "--outputs-file", "out.json", "--progress", "events", "--no-notices", "--no-color"});

    // --all instead of stacks; no rollback; the CLI's own defaults otherwise.
    cdk::DeployOptions all;
    all.all = true;
    all.stacks = {"Ignored"};
    all.rollback = false;
    all.exclusively = false;
    all.method = "change-set";
    all.progress = "bar";
    all.require_approval = "broadening";
    CHECK(cli.deploy_argv(all) == Argv{"deploy", "--all", "--require-approval", "broadening", "--method", "change-set",
                                       "--no-rollback", "--progress", "bar", "--no-notices", "--no-color"});

    cdk::DiffOptions diff;
    diff.stacks = {"CeapDatabase-prod"};
    diff.app = "cdk.out.consolidated";
    CHECK(cli.diff_argv(diff) ==
          Argv{"diff", "CeapDatabase-prod", "--app", "cdk.out.consolidated", "--exclusively", "--no-notices", "--no-color"});

    cdk::DestroyOptions destroy;
    destroy.stacks = {"CeapOrchestration-prod", "CeapLegacyApi-prod"};
    CHECK(cli.destroy_argv(destroy) == Argv{"destroy", "CeapOrchestration-prod", "CeapLegacyApi-prod", "--exclusively", "--force",
                                            "--no-notices", "--no-color"});

    cdk::SynthOptions synth;
    synth.output = "cdk.out.consolidated";
    synth.context = {{"environment", "prod"}};
    CHECK(cli.synth_argv(synth) == Argv{"synth", "--context", "environment=prod", "--output", "cdk.out.consolidated", "--quiet",
                                        "--no-notices", "--no-color"});

    // Deploying or destroying nothing is refused before anything runs.
    CHECK_THROWS_WITH_AS(cli.deploy(cdk::DeployOptions{}), doctest::Contains("needs stacks or --all"), Error);
    CHECK(cli.launches() == 0);
}
