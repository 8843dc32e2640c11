// tfstage validate FILE   and   tfstage graph FILE -e ENV [--format dot|mermaid]
#include <iostream>
#include <memory>

#include "ops/validate_rollout.hpp"
#include "rollout/graph.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout_output.hpp"

namespace tfstage::cli {

void register_validate(CLI::App& app, Context& context) {
    auto file = std::make_shared<std::string>();
    auto* validate = app.add_subcommand("validate", "check a rollout file: every problem with its line and key");
    validate->fallthrough();  // global options (--json) may follow the verb, as for the others
    validate->add_option("FILE", *file, "the rollout file")->required();
    validate->callback([&context, file] {
        const auto result = ops::validate_rollout_file(*file);
        if (context.global.json) {
            std::cout << result.to_json().dump() << '\n';
            if (!result.valid()) context.exit_code = exit_usage;
        } else if (!result.valid()) {
            throw rollout::ValidationError(result.problems);
        } else {
            std::cout << *file << ": valid (" << result.rollout->stages.size() << " stages, "
                      << result.rollout->environments.size() << " environments)\n";
        }
    });

    struct GraphArgs {
        std::string file;
        std::string environment;
        std::string format = "dot";
    };
    auto args = std::make_shared<GraphArgs>();
    auto* graph = app.add_subcommand("graph", "draw the stage graph (Graphviz dot or Mermaid)");
    graph->add_option("FILE", args->file, "the rollout file")->required();
    graph->add_option("-e,--env", args->environment, "the environment (checked to exist)");
    graph->add_option("--format", args->format, "dot or mermaid")->check(CLI::IsMember({"dot", "mermaid"}));
    graph->callback([args] {
        const auto rollout = rollout::load_rollout_file(args->file);
        if (!args->environment.empty() && rollout.find_environment(args->environment) == nullptr)
            throw Error(ErrorCode::invalid_argument, "no environment '" + args->environment + "' in " + args->file);
        const rollout::StageGraph stages(rollout.stages);
        std::cout << (args->format == "mermaid" ? stages.to_mermaid() : stages.to_dot());
    });
}

}  // namespace tfstage::cli
