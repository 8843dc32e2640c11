// The cdk CLI's output, line by line, as aws-cdk 2.1148.1 prints it (lines copied from real
// deploys against moto), into per-stack events.
#include <doctest/doctest.h>

#include "cdk/cli.hpp"

using namespace tfstage::cdk;

TEST_CASE("cdk output: deploy lines become started and succeeded events per stack") {
    auto started = parse_output_line("CeapServingAPI-prod: deploying... [2/3]");
    REQUIRE(started);
    CHECK(started->kind == StackEvent::Kind::started);
    CHECK(started->stack == "CeapServingAPI-prod");

    auto done = parse_output_line("\xE2\x9C\x85  CeapDataPlatform-prod");
    REQUIRE(done);
    CHECK(done->kind == StackEvent::Kind::succeeded);
    CHECK(done->stack == "CeapDataPlatform-prod");

    auto unchanged = parse_output_line("\xE2\x9C\x85  CeapDatabase-prod (no changes)");
    REQUIRE(unchanged);
    CHECK(unchanged->kind == StackEvent::Kind::no_changes);
    CHECK(unchanged->stack == "CeapDatabase-prod");
}

TEST_CASE("cdk output: resource progress lines carry the status and type") {
    auto e = parse_output_line(
        "CeapDataPlatform-prod |   1 | 7:58:38 PM | CREATE_COMPLETE         | AWS::CloudFormation::Stack | CeapDataPlatform-prod ");
    REQUIRE(e);
    CHECK(e->kind == StackEvent::Kind::resource);
    CHECK(e->stack == "CeapDataPlatform-prod");
    CHECK(e->resource_status == "CREATE_COMPLETE");
    CHECK(e->resource_type == "AWS::CloudFormation::Stack");
    CHECK(e->message == "CeapDataPlatform-prod");

    auto bootstrap = parse_output_line("CDKToolkit |  0/15 | 7:56:45 PM | CREATE_IN_PROGRESS      | AWS::CloudFormation::Stack | CDKToolkit User Initiated");
    REQUIRE(bootstrap);
    CHECK(bootstrap->resource_status == "CREATE_IN_PROGRESS");
    CHECK(bootstrap->message == "CDKToolkit User Initiated");
}

TEST_CASE("cdk output: failure and destroy lines name the stack") {
    auto failed = parse_output_line(
        "\xE2\x9D\x8C  CeapServingAPI-prod failed: ValidationError: Template error: resource Queue does not support attribute type NoSuchAttribute in Fn::GetAtt");
    REQUIRE(failed);
    CHECK(failed->kind == StackEvent::Kind::failed);
    CHECK(failed->stack == "CeapServingAPI-prod");
    CHECK(failed->message.find("ValidationError: Template error") == 0);

    // aws-cdk 2.1148.1: the reason comes on the next line ("‣ ValidationError: ...").
    auto to_deploy = parse_output_line("\xE2\x9D\x8C  CeapServingAPI-prod failed to deploy");
    REQUIRE(to_deploy);
    CHECK(to_deploy->kind == StackEvent::Kind::failed);
    CHECK(to_deploy->stack == "CeapServingAPI-prod");
    CHECK(to_deploy->message.empty());
    CHECK_FALSE(parse_output_line("\xE2\x80\xA3 ValidationError: Template error: resource Queue does not support attribute type NoSuchAttribute in Fn::GetAtt"));

    auto destroyed = parse_output_line("\xE2\x9C\x85  CeapEtlWorkflow-prod: destroyed");
    REQUIRE(destroyed);
    CHECK(destroyed->kind == StackEvent::Kind::destroyed);
    CHECK(destroyed->stack == "CeapEtlWorkflow-prod");

    auto destroying = parse_output_line("CeapEtlWorkflow-prod: destroying... [1/6]");
    REQUIRE(destroying);
    CHECK(destroying->kind == StackEvent::Kind::started);

    // The summary line of a failed deploy names no stack.
    CHECK_FALSE(parse_output_line("\xE2\x9D\x8C Deployment failed: Error: Stack Deployments Failed: ValidationError"));
}

TEST_CASE("cdk output: other lines and colour codes") {
    CHECK_FALSE(parse_output_line("CeapDatabase-prod: start: Building CeapDatabase-prod Template"));
    CHECK_FALSE(parse_output_line("Outputs:"));
    CHECK_FALSE(parse_output_line(""));
    auto coloured = parse_output_line("\x1b[32m\xE2\x9C\x85  Api\x1b[39m");
    REQUIRE(coloured);
    CHECK(coloured->stack == "Api");
    CHECK(coloured->kind == StackEvent::Kind::succeeded);
}
