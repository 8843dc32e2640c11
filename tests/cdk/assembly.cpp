// The cloud assembly reader: real manifests from ../shared/fixtures/cdk (schemas 22, 40 and 55),
// nested assemblies, the deploy order as waves, and clear errors for malformed manifests.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "cdk/assembly.hpp"
#include "support/fixtures.hpp"

using namespace tfstage;
using namespace tfstage::cdk;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> names(const std::vector<const Stack*>& wave) {
    std::vector<std::string> out;
    for (const auto* s : wave) out.push_back(s->display_name);
    return out;
}

// The message of the Error a manifest text gives ("" when it parses).
std::string error_of(const std::string& text) {
    try {
        parse_manifest(text, "cdk.out/manifest.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

ErrorCode code_of(const std::string& text) {
    try {
        parse_manifest(text, "m.json");
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::generic;
}

class ScratchDir {
public:
    ScratchDir() {
        static std::atomic<int> counter{0};
        dir_ = fs::temp_directory_path() / ("tfstage-cdk-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }
    void write(const fs::path& relative, const std::string& text) const {
        fs::create_directories((dir_ / relative).parent_path());
        std::ofstream(dir_ / relative, std::ios::binary) << text;
    }

private:
    fs::path dir_;
};

}  // namespace

TEST_CASE("cdk assembly: the two-stack integ manifest (schema 22) has both stacks and their dependency") {
    const auto a = parse_manifest(test::read_text(test::fixture("cdk/cdkcli-integ-ts-two-stacks-dependency.json")), "m.json");
    CHECK(a.version == "22.0.0");
    REQUIRE(a.stacks.size() == 2);
    CHECK(a.stacks[0].id == "TypeScriptStack");
    CHECK(a.stacks[0].stack_name == "TypeScriptStack");
    CHECK(a.stacks[0].template_file == "TypeScriptStack.template.json");
    CHECK(a.stacks[0].environment == "aws://unknown-account/unknown-region");
    CHECK(a.stacks[0].dependencies.empty());
    CHECK(a.stacks[0].asset_dependencies == std::vector<std::string>{"TypeScriptStack.assets"});
    CHECK(a.stacks[1].dependencies == std::vector<std::string>{"TypeScriptStack"});
    CHECK(a.stacks[1].asset_dependencies == std::vector<std::string>{"TypeScriptAssertions.assets"});
    const auto waves = deploy_waves(a);
    REQUIRE(waves.size() == 2);
    CHECK(names(waves[0]) == std::vector<std::string>{"TypeScriptStack"});
    CHECK(names(waves[1]) == std::vector<std::string>{"TypeScriptAssertions"});
    CHECK(describe_waves(waves) == "TypeScriptStack then TypeScriptAssertions");
    const auto reversed = destroy_waves(a, {"TypeScriptStack", "TypeScriptAssertions"});
    CHECK(names(reversed[0]) == std::vector<std::string>{"TypeScriptAssertions"});
}

TEST_CASE("cdk assembly: the nested Stage manifest (schema 55) names stacks by stackName and display name") {
    const auto a = parse_manifest(test::read_text(test::fixture("cdk/gen-cdklib2.276-nested-stage-assembly-Prod.json")), "m.json");
    CHECK(a.version == "55.0.0");
    REQUIRE(a.stacks.size() == 2);
    const Stack* network = a.find("Prod-Network");
    REQUIRE(network != nullptr);
    CHECK(network->id == "ProdNetwork2D2E7D69");
    CHECK(network->environment == "aws://222222222222/us-east-1");
    CHECK(a.find("ProdData90A795AA") == a.find("Prod-Data"));
    CHECK(a.find(a.find("Prod-Data")->display_name) == a.find("Prod-Data"));
    CHECK(a.find("Prod-Data")->dependencies == std::vector<std::string>{"ProdNetwork2D2E7D69"});
    // Only the data stack selected: its dependency outside the selection counts as deployed.
    const auto waves = deploy_waves(a, {"Prod-Data"});
    REQUIRE(waves.size() == 1);
    CHECK(waves[0].front()->stack_name == "Prod-Data");
}

TEST_CASE("cdk assembly: the root manifest (schema 40) lists its nested assembly") {
    const auto a = parse_manifest(test::read_text(test::fixture("cdk/cdkcli-nested-assembly-root.json")), "m.json");
    CHECK(a.version == "40.0.0");
    CHECK(a.stacks.empty());
    REQUIRE(a.nested.size() == 1);
    CHECK(a.nested[0].id == "assembly-Stage");
    CHECK(a.nested[0].directory == "assembly-Stage");
    CHECK(a.nested[0].display_name == "Stage");
}

TEST_CASE("cdk assembly: read_assembly follows nested assemblies and keeps template paths relative to the top") {
    ScratchDir scratch;
    scratch.write("manifest.json", R"({"version": "40.0.0", "artifacts": {"assembly-Prod": {"type": "cdk:cloud-assembly",
        "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"}}}})");
    scratch.write("assembly-Prod/manifest.json", test::read_text(test::fixture("cdk/gen-cdklib2.276-nested-stage-assembly-Prod.json")));
    const auto a = read_assembly(scratch.dir());
    CHECK(a.version == "40.0.0");
    REQUIRE(a.stacks.size() == 2);
    CHECK(a.stacks[0].assembly == "assembly-Prod");
    CHECK(a.stacks[0].template_file == "assembly-Prod/ProdNetwork2D2E7D69.template.json");
    CHECK(describe_waves(deploy_waves(a)) == a.stacks[0].display_name + " then " + a.stacks[1].display_name);

    // The nested directory missing: said plainly.
    fs::remove_all(scratch.dir() / "assembly-Prod");
    try {
        read_assembly(scratch.dir());
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::not_found);
        CHECK(std::string(e.what()).find("artifacts.assembly-Prod: the nested assembly directory") != std::string::npos);
    }
}

TEST_CASE("cdk assembly: a directory without manifest.json says to synthesize first") {
    ScratchDir scratch;
    CHECK_FALSE(is_assembly(scratch.dir()));
    try {
        read_assembly(scratch.dir());
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::not_found);
        CHECK(std::string(e.what()).find("run `cdk synth --output") != std::string::npos);
    }
}

TEST_CASE("cdk assembly: independent stacks deploy together and dependents after them") {
    const std::string text = R"({"version": "54.0.0", "artifacts": {
      "Db.assets": {"type": "cdk:asset-manifest", "properties": {"file": "Db.assets.json"}},
      "Db": {"type": "aws:cloudformation:stack", "environment": "aws://1/us-east-1",
             "properties": {"templateFile": "Db.template.json"}, "dependencies": ["Db.assets"]},
      "Api": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Api.template.json"}, "dependencies": ["Db"]},
      "Etl": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Etl.template.json"}, "dependencies": ["Db"]},
      "Edge": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "Edge.template.json"}, "dependencies": ["Api", "Etl"]},
      "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}})";
    const auto a = parse_manifest(text, "m.json");
    const auto waves = deploy_waves(a);
    REQUIRE(waves.size() == 3);
    CHECK(names(waves[0]) == std::vector<std::string>{"Db"});
    CHECK(names(waves[1]) == std::vector<std::string>{"Api", "Etl"});
    CHECK(names(waves[2]) == std::vector<std::string>{"Edge"});
    CHECK(describe_waves(waves) == "Db then [Api + Etl] then Edge");
    CHECK(describe_waves(deploy_waves(a, {"Etl", "Api"})) == "[Etl + Api]");
    try {
        deploy_waves(a, {"Api", "Cache"});
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        CHECK(std::string(e.what()).find("has no stack 'Cache' (stacks: Db, Api, Etl, Edge)") != std::string::npos);
    }
}

TEST_CASE("cdk assembly: a dependency cycle is named") {
    const std::string text = R"({"version": "54.0.0", "artifacts": {
      "A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "A.json"}, "dependencies": ["B"]},
      "B": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "B.json"}, "dependencies": ["A"]}}})";
    const auto a = parse_manifest(text, "m.json");
    CHECK_THROWS_WITH_AS(deploy_waves(a), doctest::Contains("the stacks A, B depend on one another in a cycle"), Error);
}

TEST_CASE("cdk assembly: a newer schema version is refused with what to do") {
    const std::string message = error_of(R"({"version": "56.0.0", "artifacts": {}})");
    CHECK(message.find("cdk.out/manifest.json: version: cloud assembly schema 56.0.0 is newer than this tfstage reads (up to 55.x)") == 0);
    CHECK(message.find("upgrade tfstage") != std::string::npos);
    CHECK(code_of(R"({"version": "56.0.0"})") == ErrorCode::unsupported);
    CHECK(error_of(R"({"version": "55.1.0"})").empty());
}

TEST_CASE("cdk assembly: malformed manifests give the key and what is wrong") {
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"{\"version\": \"54.0.0\",", "cdk.out/manifest.json: not valid JSON"},
        {"[1, 2]", "cdk.out/manifest.json: expected an object with version and artifacts, found a list"},
        {"{\"artifacts\": {}}", "cdk.out/manifest.json: version: missing (expected a string)"},
        {"{\"version\": 54}", "cdk.out/manifest.json: version: expected a string, found a number or boolean"},
        {"{\"version\": \"latest\"}", "version: 'latest' is not a schema version (expected MAJOR.MINOR.PATCH)"},
        {"{\"version\": \"54.0.0\", \"artifacts\": []}", "artifacts: expected an object, found a list"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": 3}}", "artifacts.S: expected an object"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {}}}", "artifacts.S.type: missing (expected a string)"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\"}}}",
         "artifacts.S.properties: missing (expected an object)"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\", \"properties\": {}}}}",
         "artifacts.S.properties.templateFile: missing (expected a string)"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\", \"properties\": {\"templateFile\": "
         "\"S.json\"}, \"dependencies\": [\"Nope\"]}}}",
         "artifacts.S.dependencies[0]: unknown artifact 'Nope'"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\", \"properties\": {\"templateFile\": "
         "\"S.json\"}, \"dependencies\": \"T\"}}}",
         "artifacts.S.dependencies: expected a list of artifact ids, found a string"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"S\": {\"type\": \"aws:cloudformation:stack\", \"environment\": \"us-east-1\", "
         "\"properties\": {\"templateFile\": \"S.json\"}}}}",
         "artifacts.S.environment: 'us-east-1' is not an environment (expected aws://ACCOUNT/REGION)"},
        {"{\"version\": \"54.0.0\", \"artifacts\": {\"N\": {\"type\": \"cdk:cloud-assembly\", \"properties\": {\"directoryName\": "
         "\"../elsewhere\"}}}}",
         "artifacts.N.properties.directoryName: '../elsewhere' is not a directory inside the assembly"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const std::string message = error_of(c.text);
        CHECK(message.find(c.message) != std::string::npos);
        CHECK(code_of(c.text) == ErrorCode::parse_error);
    }
}
