// tfstage stages suggest: the skeleton of a rollout, derived from the configuration. A
// top-level module that uses module.vpc comes after module.vpc; modules with no order between
// them share a stage.
#include <iostream>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "plan/plan.hpp"
#include "plan/stage_order.hpp"
#include "plan_source.hpp"

namespace tfstage::cli {
namespace {

nlohmann::json stage_order_json(const plan::StageOrder& order) {
    nlohmann::json depends_on = nlohmann::json::object();
    for (const auto& [module, uses] : order.depends_on) depends_on[module] = uses;
    return {{"schema_version", 1},
            {"groups", order.groups},
            {"targets", order.target_groups()},
            {"depends_on", depends_on}};
}

void run_suggest(Context& context, const PlanInputs& inputs) {
    ScratchDir scratch;
    const auto plan = plan::parse_plan_file(plan_document(context, inputs, scratch));
    const auto order = plan::derive_stage_order(plan.configuration);
    std::cout << (context.global.json ? stage_order_json(order).dump() + "\n" : plan::render_stage_order(order));
}

}  // namespace

void register_stages(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("stages", "rollout stages");
    verb->require_subcommand(1);
    verb->fallthrough();  // global options (-C, -w, --json) may follow the verb
    auto inputs = std::make_shared<PlanInputs>();
    auto* suggest = verb->add_subcommand("suggest", "derive the stage order of the root's modules from its configuration");
    suggest->fallthrough();
    add_plan_input_options(suggest, *inputs);
    suggest->callback([&context, inputs] { run_suggest(context, *inputs); });
}

}  // namespace tfstage::cli
