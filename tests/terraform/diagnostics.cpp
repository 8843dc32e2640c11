// Diagnostics from validate -json, the misc fixtures, and Terraform's human error text.
#include <doctest/doctest.h>

#include "support/fixtures.hpp"
#include "terraform/engine.hpp"

using namespace tfstage;
using namespace tfstage::terraform;
using tfstage::test::fixture;
using tfstage::test::read_text;

TEST_CASE("validate -json with errors: every diagnostic with file and line") {
    const auto result = parse_validate_json(nlohmann::json::parse(read_text(fixture("misc/gen-tf1.11-validate-errors.json"))));
    CHECK_FALSE(result.valid);
    CHECK(result.error_count == 3);
    REQUIRE(result.diagnostics.size() == 3);
    CHECK(result.diagnostics[0].summary == "Output refers to sensitive values");
    CHECK(result.diagnostics[0].filename == "main.tf");
    CHECK(result.diagnostics[0].line == 17);
    CHECK(result.diagnostics[0].column == 1);
    CHECK(result.diagnostics[1].summary == "Reference to undeclared resource");
    CHECK(result.diagnostics[0].one_line().rfind("main.tf:17:1: error: Output refers to sensitive values", 0) == 0);
}

TEST_CASE("validate -json of a valid configuration") {
    const auto result = parse_validate_json(nlohmann::json::parse(read_text(fixture("misc/gen-tf1.11-validate-valid.json"))));
    CHECK(result.valid);
    CHECK(result.diagnostics.empty());
}

TEST_CASE("validate -json of the wrong shape is a parse error") {
    CHECK_THROWS_AS(parse_validate_json(nlohmann::json::parse(R"({"valid":"yes"})")), Error);
    CHECK_THROWS_AS(parse_validate_json(nlohmann::json::parse("[]")), Error);
    CHECK_THROWS_AS(parse_validate_json(nlohmann::json::parse(R"({"valid":false,"diagnostics":[42]})")), Error);
}

TEST_CASE("a diagnostic with a multi-line snippet and expression values") {
    const auto d = parse_diagnostic(nlohmann::json::parse(read_text(fixture("misc/tf-diagnostic-multiline-snippet.json"))));
    CHECK(d.severity == "error");
    CHECK_FALSE(d.summary.empty());
    CHECK(d.filename == "values.tf");
    CHECK(d.line > 0);
}

TEST_CASE("version -json gives the flavour and version") {
    const auto info = parse_version_json(read_text(fixture("misc/gen-tf1.11-version.json")), "/usr/local/bin/terraform");
    CHECK(info.flavour == Flavour::terraform);
    CHECK(info.version == Version{1, 11, 4, ""});
    CHECK(info.platform == "linux_amd64");
    const auto tofu = parse_version_json(R"({"terraform_version":"1.9.0","platform":"linux_amd64"})", "/usr/bin/tofu");
    CHECK(tofu.flavour == Flavour::opentofu);
    CHECK_THROWS_AS(parse_version_json("Terraform v1.11.4", "terraform"), Error);
}

TEST_CASE("workspace list: the current one is marked with a star") {
    const auto names = parse_workspace_list(read_text(fixture("misc/gen-tf1.11-workspace-list.txt")));
    REQUIRE(names.size() >= 2);
    CHECK(std::find(names.begin(), names.end(), "default") != names.end());
    for (const auto& n : names) CHECK(n.find('*') == std::string::npos);
}

TEST_CASE("human error text: summary, file and line, detail") {
    const std::string text =
        "\nError: Invalid target address\n\n"
        "  on main.tf line 3, in resource \"x\" \"y\":\n"
        "   3:   foo = bar\n\n"
        "Resource specification must include a resource type and name.\n\n"
        "Warning: Something odd\n\nDetail of the warning.\n";
    const auto diagnostics = parse_text_diagnostics(text);
    REQUIRE(diagnostics.size() == 2);
    CHECK(diagnostics[0].severity == "error");
    CHECK(diagnostics[0].summary == "Invalid target address");
    CHECK(diagnostics[0].filename == "main.tf");
    CHECK(diagnostics[0].line == 3);
    CHECK(diagnostics[0].detail.find("must include a resource type") != std::string::npos);
    CHECK(diagnostics[1].severity == "warning");

    // The boxed form Terraform uses for warnings on stderr.
    const auto boxed = parse_text_diagnostics("\xe2\x95\xb7\n\xe2\x94\x82 Warning: Unable to open CLI configuration file\n"
                                              "\xe2\x94\x82 \n\xe2\x94\x82 The file does not exist.\n\xe2\x95\xb5\n");
    REQUIRE(boxed.size() == 1);
    CHECK(boxed[0].summary == "Unable to open CLI configuration file");
    CHECK(boxed[0].detail == "The file does not exist.");
}

TEST_CASE("version parsing and capability gates") {
    CHECK(Version::parse("1.11.4") == Version{1, 11, 4, ""});
    CHECK(Version::parse("v1.9.0-rc1").prerelease == "rc1");
    CHECK(Version::parse("1.13.0-dev") > Version::parse("1.12.9"));
    CHECK_THROWS_AS(Version::parse("one.two"), Error);
    CHECK_THROWS_AS(Version::parse("1."), Error);

    EngineInfo terraform{Flavour::terraform, Version::parse("1.11.4"), "terraform", ""};
    EngineInfo tofu{Flavour::opentofu, Version::parse("1.9.0"), "tofu", ""};
    EngineInfo old_tofu{Flavour::opentofu, Version::parse("1.8.3"), "tofu", ""};
    CHECK(supports(terraform, Capability::json_ui));
    CHECK_FALSE(supports(terraform, Capability::exclude));
    CHECK(supports(tofu, Capability::exclude));
    CHECK_FALSE(supports(old_tofu, Capability::exclude));
    try {
        require(terraform, Capability::exclude);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::unsupported);
        CHECK(std::string(e.what()).find("-exclude") != std::string::npos);
        CHECK(std::string(e.what()).find("OpenTofu >= 1.9.0") != std::string::npos);
    }
}

TEST_CASE("redaction: -var values and backend-config values never appear") {
    const std::vector<std::string> argv{"terraform", "plan", "-var=db_password=hunter2", "-var", "token=abc=def",
                                        "-backend-config=password=s3cret", "-backend-config=backend.hcl",
                                        "-var-file=prod.tfvars", "-target=module.vpc"};
    const auto shown = join_argv(redact_argv(argv));
    CHECK(shown.find("hunter2") == std::string::npos);
    CHECK(shown.find("abc") == std::string::npos);
    CHECK(shown.find("s3cret") == std::string::npos);
    CHECK(shown.find("-var=db_password=<redacted>") != std::string::npos);
    CHECK(shown.find("token=<redacted>") != std::string::npos);
    CHECK(shown.find("-backend-config=backend.hcl") != std::string::npos);
    CHECK(shown.find("-var-file=prod.tfvars") != std::string::npos);
    CHECK(shown.find("-target=module.vpc") != std::string::npos);
}
