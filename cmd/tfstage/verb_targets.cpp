// tfstage targets expand PATTERN: the concrete addresses a pattern (`module.*.aws_sns_topic.*`)
// or a bare type (`aws_security_group`, which Terraform rejects as a -target) selects. Known
// addresses are those of the state plus those an untargeted plan would touch, so resources
// not created yet count too.
#include <iostream>
#include <set>

#include "address/address.hpp"
#include "context.hpp"
#include "plan/plan.hpp"
#include "plan_source.hpp"

namespace tfstage::cli {
namespace {

struct ExpandOptions {
    std::string pattern;
    PlanInputs inputs;
};

void add_plan_addresses(const plan::Plan& plan, std::set<std::string>& known) {
    for (const auto& change : plan.resource_changes) known.insert(change.address);
    if (plan.prior_state)
        for (const auto* resource : plan.prior_state->all_resources()) known.insert(resource->address);
}

// `state list` fails when there is no state at all ("No state file was found!"): a root never
// applied. The plan says so by having no prior state, and then there is nothing to list.
std::vector<std::string> state_addresses(Context& context, const plan::Plan& plan) {
    try {
        return context.engine(false).state_list();
    } catch (const terraform::EngineError&) {
        if (plan.prior_state && !plan.prior_state->all_resources().empty()) throw;
        return {};
    }
}

std::set<std::string> known_addresses(Context& context, const PlanInputs& inputs) {
    std::set<std::string> known;
    ScratchDir scratch;
    const auto plan = plan::parse_plan_file(plan_document(context, inputs, scratch));
    add_plan_addresses(plan, known);
    // A given plan file may come from elsewhere: only the live root has a state to list.
    if (inputs.plan_file.empty())
        for (auto& address : state_addresses(context, plan)) known.insert(std::move(address));
    return known;
}

std::vector<address::Address> parse_all(const std::set<std::string>& texts) {
    std::vector<address::Address> out;
    out.reserve(texts.size());
    for (const auto& text : texts) out.push_back(address::parse(text));
    return out;
}

void run_expand(Context& context, const ExpandOptions& options) {
    address::expand(options.pattern, {});  // a bad pattern fails here, before the slow plan
    const auto known = parse_all(known_addresses(context, options.inputs));
    std::set<std::string> selected;
    for (const auto& match : address::expand(options.pattern, known)) selected.insert(address::to_string(match));
    if (selected.empty()) {
        std::cerr << "tfstage: no address in the configuration or state matches " << options.pattern << " (of "
                  << known.size() << " known)\n";
        context.exit_code = exit_failure;
        return;
    }
    for (const auto& text : selected) std::cout << text << '\n';
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
