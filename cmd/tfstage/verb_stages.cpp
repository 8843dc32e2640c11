// tfstage stages suggest: the skeleton of a rollout, derived from the configuration
// (lib/ops/stage_suggestion.hpp).
#include <iostream>

#include "ops/stage_suggestion.hpp"
#include "plan_source.hpp"

namespace tfstage::cli {

void register_stages(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("stages", "rollout stages");
    verb->require_subcommand(1);
    verb->fallthrough();  // global options (-C, -w, --json) may follow the verb
    auto inputs = std::make_shared<PlanInputs>();
    auto* suggest = verb->add_subcommand("suggest", "derive the stage order of the root's modules from its configuration");
    suggest->fallthrough();
    add_plan_input_options(suggest, *inputs);
    suggest->callback([&context, inputs] {
        auto engine = engine_on_demand(context);
        const auto order = ops::suggest_stages(engine, to_ops(*inputs));
        std::cout << (context.global.json ? ops::to_json(order).dump() + "\n" : plan::render_stage_order(order));
    });
}

}  // namespace tfstage::cli
