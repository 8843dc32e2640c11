// Stage order derived from module call references, on the shape of seed 000.
#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/stage_order.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;

namespace {

// The configuration section of `show -json` for seed 000's root module (module calls only).
const char* seed000_plan = R"({
  "format_version": "1.2",
  "configuration": {"root_module": {
    "resources": [{"address": "aws_kms_key.data_stores", "mode": "managed", "type": "aws_kms_key", "name": "data_stores",
                   "expressions": {"description": {"references": ["var.environment"]}}}],
    "module_calls": {
      "vpc": {"source": "./modules/vpc", "expressions": {"cidr": {"references": ["var.vpc_cidr"]}}},
      "data_stores": {"source": "./modules/data_stores",
        "expressions": {"subnet_ids": {"references": ["module.vpc.private_subnet_ids", "module.vpc"]},
                        "kms_key_arn": {"references": ["aws_kms_key.data_stores.arn", "aws_kms_key.data_stores"]}}},
      "kafka": {"source": "./modules/kafka", "count_expression": {"references": ["var.enable_kafka"]},
        "expressions": {"subnet_ids": {"references": ["module.vpc.private_subnet_ids", "module.vpc"]},
                        "broker_count": {"references": ["var.kafka_broker_count"]}}},
      "lambda_processors": {"source": "./modules/lambda",
        "expressions": {"vpc_config": [{"subnet_ids": {"references": ["module.vpc.private_subnet_ids", "module.vpc"]}}],
                        "bootstrap": {"references": ["module.kafka[0].bootstrap_brokers", "module.kafka"]},
                        "table": {"references": ["module.data_stores.table_name", "module.data_stores"]}}},
      "monitoring": {"source": "./modules/monitoring", "depends_on": ["module.lambda_processors"],
        "expressions": {"topic": {"constant_value": "alerts"}}}
    }}}
})";

}  // namespace

TEST_CASE("stage order: seed 000 puts vpc first, then data stores and kafka, then lambdas, then monitoring") {
    StageOrder order = derive_stage_order(parse_plan(seed000_plan).configuration);
    CHECK(order.groups == std::vector<std::vector<std::string>>{{"vpc"}, {"data_stores", "kafka"}, {"lambda_processors"}, {"monitoring"}});
    CHECK(order.depends_on.at("lambda_processors") == std::set<std::string>{"data_stores", "kafka", "vpc"});
    CHECK(render_stage_order(order) == "1. module.vpc\n2. module.data_stores, module.kafka\n3. module.lambda_processors\n4. module.monitoring\n");
}

TEST_CASE("stage order: independent modules share one group, and fixtures without cross references") {
    StageOrder modules = derive_stage_order(parse_plan_file(fixture("plan/tf-showjson-modules.json")).configuration);
    CHECK(modules.groups == std::vector<std::vector<std::string>>{{"module_test_bar", "module_test_foo"}});
    // module.app refers to a root resource only: one stage.
    StageOrder app = derive_stage_order(parse_plan_file(fixture("plan/gen-tf1.11-create-nested-modules-foreach-checks.json")).configuration);
    CHECK(app.groups == std::vector<std::vector<std::string>>{{"app"}});
    CHECK(derive_stage_order(parse_plan(R"({"format_version":"1.0"})").configuration).groups.empty());
}

TEST_CASE("stage order: a cycle is an error naming the modules") {
    const char* cyclic = R"({"format_version":"1.2","configuration":{"root_module":{"module_calls":{
        "a": {"source": "./a", "expressions": {"x": {"references": ["module.b.out"]}}},
        "b": {"source": "./b", "expressions": {"x": {"references": ["module.c.out"]}}},
        "c": {"source": "./c", "expressions": {"x": {"references": ["module.a"]}}},
        "d": {"source": "./d"}}}}})";
    CHECK_THROWS_WITH_AS(derive_stage_order(parse_plan(cyclic).configuration), doctest::Contains("cycle"), tfstage::Error);
    CHECK_THROWS_WITH(derive_stage_order(parse_plan(cyclic).configuration), doctest::Contains("module.a, module.b, module.c"));
}
