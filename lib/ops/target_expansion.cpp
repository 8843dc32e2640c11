#include "ops/target_expansion.hpp"

#include "address/address.hpp"
#include "plan/plan.hpp"

namespace tfstage::ops {
namespace {

void add_plan_addresses(const plan::Plan& plan, std::set<std::string>& known) {
    for (const auto& change : plan.resource_changes) known.insert(change.address);
    if (plan.prior_state)
        for (const auto* resource : plan.prior_state->all_resources()) known.insert(resource->address);
}

// `state list` fails when there is no state at all ("No state file was found!"): a root never
// applied. The plan says so by having no prior state, and then there is nothing to list.
std::vector<std::string> state_addresses(EngineOnDemand& engine, const plan::Plan& plan) {
    try {
        return engine.get().state_list();
    } catch (const terraform::EngineError&) {
        if (plan.prior_state && !plan.prior_state->all_resources().empty()) throw;
        return {};
    }
}

std::set<std::string> known_addresses(EngineOnDemand& engine, const PlanInputs& inputs) {
    std::set<std::string> known;
    ScratchDir scratch;
    const auto plan = plan::parse_plan_file(plan_document(engine, inputs, scratch));
    add_plan_addresses(plan, known);
    // A given plan file may come from elsewhere: only the live root has a state to list.
    if (inputs.plan_file.empty())
        for (auto& address : state_addresses(engine, plan)) known.insert(std::move(address));
    return known;
}

}  // namespace

TargetExpansion expand_targets(EngineOnDemand& engine, const std::string& pattern, const PlanInputs& inputs) {
    address::expand(pattern, {});  // a bad pattern fails here, before the slow plan
    const auto known = known_addresses(engine, inputs);
    std::vector<address::Address> parsed;
    parsed.reserve(known.size());
    for (const auto& text : known) parsed.push_back(address::parse(text));
    TargetExpansion out;
    out.known = known.size();
    for (const auto& match : address::expand(pattern, parsed)) out.selected.insert(address::to_string(match));
    return out;
}

}  // namespace tfstage::ops
