// tfstage targets expand PATTERN: the concrete addresses a pattern or a bare resource type
// selects (lib/ops/target_expansion.hpp).
#include <iostream>

#include "ops/target_expansion.hpp"
#include "plan_source.hpp"

namespace tfstage::cli {
namespace {

struct ExpandOptions {
    std::string pattern;
    PlanInputs inputs;
};

void run_expand(Context& context, const ExpandOptions& options) {
    auto engine = engine_on_demand(context);
    const auto expansion = ops::expand_targets(engine, options.pattern, to_ops(options.inputs));
    if (expansion.selected.empty()) {
        std::cerr << "tfstage: no address in the configuration or state matches " << options.pattern << " (of "
                  << expansion.known << " known)\n";
        context.exit_code = exit_failure;
        return;
    }
    for (const auto& text : expansion.selected) std::cout << text << '\n';
}

}  // namespace

void register_targets(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("targets", "target addresses");
    verb->require_subcommand(1);
    verb->fallthrough();  // global options (-C, -w) may follow the verb
    auto options = std::make_shared<ExpandOptions>();
    auto* expand = verb->add_subcommand("expand", "list the addresses a pattern or bare resource type selects");
    expand->fallthrough();
    expand->add_option("PATTERN", options->pattern, "e.g. aws_security_group, module.*.aws_sns_topic.*")->required();
    add_plan_input_options(expand, options->inputs);
    expand->callback([&context, options] { run_expand(context, *options); });
}

}  // namespace tfstage::cli
