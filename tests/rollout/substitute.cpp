// ${...} substitution in command argv, env and cwd.
#include <doctest/doctest.h>

#include "rollout/substitute.hpp"

using namespace tfstage::rollout;

namespace {

const Variables vars = {{"env", "prod"},
                        {"workspace", "prod-eu"},
                        {"item", "25"},
                        {"output.kafka_cluster_arn", "arn:aws:kafka:eu-west-1:1:cluster/x"},
                        {"output.CeapDatabase-prod.Endpoint", "db.example"}};

}  // namespace

TEST_CASE("substitute: every kind of placeholder") {
    CHECK(substitute("scripts/health_check.sh ${env}", vars) == "scripts/health_check.sh prod");
    CHECK(substitute("${workspace}/${item}%", vars) == "prod-eu/25%");
    CHECK(substitute("--cluster-arn=${output.kafka_cluster_arn}", vars) == "--cluster-arn=arn:aws:kafka:eu-west-1:1:cluster/x");
    CHECK(substitute("https://${output.CeapDatabase-prod.Endpoint}/health", vars) == "https://db.example/health");
    CHECK(substitute("", vars).empty());
    CHECK(substitute("no placeholders", vars) == "no placeholders");
}

TEST_CASE("substitute: escapes and lone dollars") {
    CHECK(substitute("$${env}", vars) == "${env}");
    CHECK(substitute("a$${b}c ${env}", vars) == "a${b}c prod");
    CHECK(substitute("cost: $5, $HOME, $", vars) == "cost: $5, $HOME, $");
    CHECK(substitute("$$", vars) == "$$");
    CHECK(substitute("$$${env}", vars) == "$${env}");  // a lone '$', then the escape
}

TEST_CASE("substitute: unknown names and unterminated placeholders are errors") {
    try {
        substitute("echo ${output.missing}", vars);
        FAIL("expected an error");
    } catch (const tfstage::Error& e) {
        CHECK(e.code() == tfstage::ErrorCode::invalid_argument);
        CHECK(std::string(e.what()).find("${output.missing}") != std::string::npos);
    }
    CHECK_THROWS_AS(substitute("echo ${env", vars), tfstage::Error);
    CHECK_THROWS_AS(substitute("${item}", Variables{{"env", "dev"}}), tfstage::Error);
}

TEST_CASE("substitute: placeholders lists names in order, skipping escapes") {
    CHECK(placeholders("${env} $${literal} ${output.a.b} ${item}") == std::vector<std::string>{"env", "output.a.b", "item"});
    CHECK(placeholders("plain").empty());
    CHECK_THROWS_AS(placeholders("${oops"), tfstage::Error);
}

TEST_CASE("substitute: known placeholder names") {
    CHECK(is_known_placeholder("env", false));
    CHECK(is_known_placeholder("workspace", false));
    CHECK(is_known_placeholder("item", true));
    CHECK_FALSE(is_known_placeholder("item", false));
    CHECK(is_known_placeholder("output.vpc_id", false));
    CHECK(is_known_placeholder("output.CeapDatabase-prod.Endpoint", false));
    CHECK_FALSE(is_known_placeholder("output.", false));
    CHECK_FALSE(is_known_placeholder("output.a.b.c", false));
    CHECK_FALSE(is_known_placeholder("output.a b", false));
    CHECK_FALSE(is_known_placeholder("region", false));
}
