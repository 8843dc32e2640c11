// ${output.NAME} that the state lacks: the error says what, where, why and what to do (issue 11).
#include <doctest/doctest.h>

#include "rollout/missing_output.hpp"
#include "rollout/scratch.hpp"

using namespace tfstage;
using namespace tfstage::rollout;
using json = nlohmann::json;

TEST_CASE("missing output: declared in the configuration, so targeting is the reason and the fix is named") {
    test::RolloutScratch s;
    s.write("infra/main.tf", R"(resource "terraform_data" "a" {}
# output "in_comment" { value = 1 }
/*
output "in_block_comment" {
  value = 1
}
*/
  output "db_password" {
  value = terraform_data.a.output
}
)");
    s.write("infra/more.tf.json", R"({"output": {"endpoint": {"value": "x"}}})");
    CHECK(output_declaration(s.dir() / "infra", "db_password") == "main.tf:8");
    CHECK(output_declaration(s.dir() / "infra", "endpoint") == "more.tf.json");
    CHECK_FALSE(output_declaration(s.dir() / "infra", "in_comment"));
    CHECK_FALSE(output_declaration(s.dir() / "infra", "in_block_comment"));
    CHECK_FALSE(output_declaration(s.dir() / "infra", "db"));

    const json outputs = {{"other", {{"value", "v"}}}};
    const std::string message = missing_output_message("db_password", s.dir() / "infra", "dev", outputs);
    CHECK(message.find("the output 'db_password' is not in the state of root " + (s.dir() / "infra").string() +
                       " (workspace dev)") != std::string::npos);
    CHECK(message.find("declares it (main.tf:8)") != std::string::npos);
    CHECK(message.find("targeted apply") != std::string::npos);
    CHECK(message.find("stage's targets") != std::string::npos);
    CHECK(message.find("unknown placeholder") == std::string::npos);
}

TEST_CASE("missing output: not declared either, so the outputs that exist are listed") {
    test::RolloutScratch s;
    s.write("infra/main.tf", "output \"a\" { value = 1 }\n");
    const json outputs = {{"a", {{"value", 1}}}, {"b", {{"value", 2}}}};
    const std::string message = missing_output_message("typo", s.dir() / "infra", "default", outputs);
    CHECK(message.find("does not declare it") != std::string::npos);
    CHECK(message.find("the outputs in the state are: a, b") != std::string::npos);
    CHECK(missing_output_message("typo", s.dir() / "infra", "default", json::object()).find("no outputs at all") !=
          std::string::npos);
}

TEST_CASE("missing output: substitute reports the explanation instead of an unknown placeholder") {
    test::RolloutScratch s;
    s.write("infra/main.tf", "output \"db\" { value = 1 }\n");
    Variables vars{{"env", "dev"}, {"output.present", "yes"}};
    explain_missing_outputs(vars, {"db", "present"}, s.dir() / "infra", "dev", json{{"present", {{"value", "yes"}}}});
    CHECK(vars.count(missing_key("output.present")) == 0);
    CHECK(substitute("${output.present}", vars) == "yes");
    try {
        substitute("echo ${output.db}", vars);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        const std::string message = e.what();
        CHECK(message.find("the output 'db' is not in the state") != std::string::npos);
        CHECK(message.find("in 'echo ${output.db}'") != std::string::npos);
    }
    // Other unknown names are still unknown placeholders.
    CHECK_THROWS_WITH_AS(substitute("${output.other}", vars), doctest::Contains("unknown placeholder"), Error);
}
