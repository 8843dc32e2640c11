// Plans of the seed-000 example made by the real Terraform with the real aws provider against
// moto: policies, the derived stage order and provenance on what users will actually review.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "plan/plan.hpp"
#include "plan/policy.hpp"
#include "plan/provenance.hpp"
#include "plan/stage_order.hpp"
#include "plan/summary.hpp"
#include "process/process.hpp"
#include "support/moto.hpp"
#include "support/workdir.hpp"
#include "terraform/engine.hpp"

using namespace tfstage;
namespace fs = std::filesystem;

namespace {

terraform::EngineOptions options_for(const fs::path& dir) {
    terraform::EngineOptions options;
    options.working_dir = dir;
    options.cli_config_file = test::cli_config();
    return options;
}

// A private copy of examples/seed-000, initialised, with its own moto.
class Example {
public:
    Example() : engine_(options_for(dir_.path())) {
        test::copy_config(test::source_dir("examples/seed-000"), dir_.path());
        engine_.init();
    }

    const fs::path& dir() const { return dir_.path(); }
    terraform::Engine& engine() { return engine_; }
    fs::path prod_tfvars() const { return dir_.path() / "environments" / "prod.tfvars"; }

    // The prod plan options of the seed's runbook, saved to `out`.
    terraform::PlanOptions prod_plan(const std::string& out) const {
        terraform::PlanOptions options;
        options.vars = {{"aws_endpoint", moto_.endpoint()}};
        options.var_files = {prod_tfvars()};
        options.out = dir_.path() / out;
        return options;
    }

    plan::Plan plan(const terraform::PlanOptions& options) {
        engine_.plan(options);
        const auto document = dir_.path() / (options.out.filename().string() + ".json");
        engine_.show_json(options.out, document);
        return plan::parse_plan_file(document);
    }

    // Creates a few stand-alone resources for real, so that delete and replace have something to act on.
    void apply_targets(const std::vector<std::string>& targets) {
        terraform::ApplyOptions options;
        options.vars = {{"aws_endpoint", moto_.endpoint()}};
        options.var_files = {prod_tfvars()};
        options.targets = targets;
        engine_.apply(options);
    }

private:
    test::MotoServer moto_;
    test::TempDir dir_;
    terraform::Engine engine_;
};

std::set<std::string> addresses_of(const std::vector<plan::Violation>& violations, const std::string& rule) {
    std::set<std::string> out;
    for (const auto& v : violations)
        if (v.rule == rule) out.insert(v.address);
    return out;
}

const std::set<std::string> kSecurityGroups{"aws_security_group.kafka", "aws_security_group.lambda",
                                            "aws_security_group.neo4j"};

}  // namespace

TEST_CASE("example: deny_resource_types and max_changes name the offending addresses on a real create plan") {
    Example example;
    const auto plan = example.plan(example.prod_plan("prod.plan"));
    const auto summary = plan::summarise(plan);
    REQUIRE(summary.overall.create > 10);

    plan::PolicyRules rules;
    rules.deny_resource_types = {"aws_security_group"};
    rules.max_changes = 5;
    const auto violations = plan::evaluate(rules, plan);
    CHECK(addresses_of(violations, "deny_resource_types") == kSecurityGroups);
    const auto capped = std::find_if(violations.begin(), violations.end(), [](const auto& v) { return v.rule == "max_changes"; });
    REQUIRE(capped != violations.end());
    CHECK(capped->detail.find(std::to_string(summary.overall.total_changes)) != std::string::npos);
    const auto report = plan::render_violations(violations);
    CHECK(report.find("deny_resource_types: aws_security_group.neo4j") != std::string::npos);

    // A creation deletes nothing: the delete rules stay silent.
    rules = {};
    rules.deny_delete = {"module.data_stores.**", "aws_kms_key.*"};
    rules.require_approval_for_delete = true;
    CHECK(plan::evaluate(rules, plan).empty());
}

TEST_CASE("example: deny_delete and require_approval_for_delete on a real destroy plan and a real -replace plan") {
    Example example;
    example.apply_targets({"aws_sns_topic.alerts", "aws_kms_key.data_stores"});

    auto destroy = example.prod_plan("destroy.plan");
    destroy.destroy = true;
    destroy.targets = {"aws_sns_topic.alerts", "aws_kms_key.data_stores"};
    const auto destroy_plan = example.plan(destroy);

    plan::PolicyRules rules;
    rules.deny_delete = {"aws_sns_topic.*"};
    rules.require_approval_for_delete = true;
    auto violations = plan::evaluate(rules, destroy_plan);
    CHECK(addresses_of(violations, "deny_delete") == std::set<std::string>{"aws_sns_topic.alerts"});
    CHECK(addresses_of(violations, "approval_required") ==
          std::set<std::string>{"aws_sns_topic.alerts", "aws_kms_key.data_stores"});
    CHECK(plan::render_violations(violations).find("deny_delete: aws_sns_topic.alerts") != std::string::npos);
    // An explicit approval lifts the approval rule, never a protected address.
    violations = plan::evaluate(rules, destroy_plan, {.approved = true});
    CHECK(addresses_of(violations, "approval_required").empty());
    CHECK(addresses_of(violations, "deny_delete") == std::set<std::string>{"aws_sns_topic.alerts"});

    auto replace = example.prod_plan("replace.plan");
    replace.targets = {"aws_kms_key.data_stores"};
    replace.replace = {"aws_kms_key.data_stores"};
    const auto replace_plan = example.plan(replace);
    REQUIRE(plan::summarise(replace_plan).overall.replace == 1);
    rules = {};
    rules.deny_delete = {"aws_kms_key.*"};
    violations = plan::evaluate(rules, replace_plan);
    REQUIRE(violations.size() == 1);
    CHECK(violations[0].rule == "deny_delete");
    CHECK(violations[0].address == "aws_kms_key.data_stores");
}

TEST_CASE("example: the stage order derived from a real plan puts vpc before kafka and lambda_processors") {
    Example example;
    const auto order = plan::derive_stage_order(example.plan(example.prod_plan("prod.plan")).configuration);
    const auto stage_of = [&](const std::string& module) {
        for (std::size_t i = 0; i < order.groups.size(); ++i)
            if (std::find(order.groups[i].begin(), order.groups[i].end(), module) != order.groups[i].end()) return i;
        FAIL("module " << module << " is in no stage");
        return order.groups.size();
    };
    CHECK(stage_of("vpc") < stage_of("kafka"));
    CHECK(stage_of("vpc") < stage_of("lambda_processors"));
    CHECK(stage_of("kafka") < stage_of("lambda_processors"));
    CHECK(stage_of("lambda_processors") < stage_of("monitoring"));
    // What main.tf says, exactly: data_stores and kafka only need the VPC.
    CHECK(order.groups == std::vector<std::vector<std::string>>{
                              {"vpc"}, {"data_stores", "kafka"}, {"lambda_processors"}, {"monitoring"}});
    CHECK(plan::render_stage_order(order) ==
          "1. module.vpc\n2. module.data_stores, module.kafka\n3. module.lambda_processors\n4. module.monitoring\n");
}

TEST_CASE("example: provenance of a real saved plan: sha256 as sha256sum, var files, targets, and tampering is caught") {
    Example example;
    auto options = example.prod_plan("prod.plan");
    options.targets = {"module.vpc", "aws_kms_key.data_stores"};
    example.engine().plan(options);

    const auto& info = example.engine().info();
    plan::ProvenanceInput input;
    input.plan_file = options.out;
    input.engine = {terraform::to_string(info.flavour), info.version.str(), info.binary};
    input.working_dir = example.dir();
    input.workspace = example.engine().workspace_show();
    input.targets = options.targets;
    input.var_files = options.var_files;
    const auto record_path = plan::provenance_path(options.out);
    plan::write_provenance(plan::make_provenance(input), record_path);

    const auto record = plan::read_provenance(record_path);
    const auto sha256sum = [](const fs::path& file) {
        const auto result = process::run({.argv = {"sha256sum", file.string()}});
        REQUIRE(result.exit_code == 0);
        return result.out.substr(0, 64);
    };
    CHECK(record.plan_sha256 == sha256sum(options.out));
    REQUIRE(record.var_files.size() == 1);
    CHECK(record.var_files[0].path == example.prod_tfvars().string());
    CHECK(record.var_files[0].sha256 == sha256sum(example.prod_tfvars()));
    CHECK(record.targets == std::vector<std::string>{"module.vpc", "aws_kms_key.data_stores"});
    CHECK(record.workspace == "default");
    CHECK(record.engine.flavour == "terraform");
    CHECK(record.engine.version == info.version.str());
    CHECK(plan::matches(record, options.out));

    // Terraform still accepts the plan it wrote; a plan altered after review must not pass.
    {
        std::ofstream out(options.out, std::ios::binary | std::ios::app);
        out << '\0';
    }
    CHECK_FALSE(plan::matches(record, options.out));
}
