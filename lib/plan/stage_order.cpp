#include "plan/stage_order.hpp"

#include <algorithm>

#include "support/error.hpp"

namespace tfstage::plan {
namespace {

// "module.vpc.subnet_ids" -> "vpc"; anything else -> "".
std::string module_of_reference(const std::string& reference) {
    if (!reference.starts_with("module.")) return "";
    std::string rest = reference.substr(7);
    auto end = rest.find_first_of(".[");
    return rest.substr(0, end);
}

std::map<std::string, std::set<std::string>> module_dependencies(const ConfigModule& root) {
    std::map<std::string, std::set<std::string>> deps;
    for (const auto& [name, call] : root.module_calls) {
        auto& mine = deps[name];
        auto add = [&](const std::string& reference) {
            std::string target = module_of_reference(reference);
            if (!target.empty() && target != name && root.module_calls.count(target)) mine.insert(target);
        };
        for (const auto& reference : call.references) add(reference);
        for (const auto& reference : call.depends_on) add(reference);
    }
    return deps;
}

[[noreturn]] void report_cycle(const std::map<std::string, std::set<std::string>>& remaining) {
    std::string names;
    for (const auto& [name, deps] : remaining) names += (names.empty() ? "module." : ", module.") + name;
    throw Error(ErrorCode::invalid_argument, "the modules form a dependency cycle, so no stage order exists: " + names);
}

}  // namespace

StageOrder derive_stage_order(const Configuration& configuration) {
    StageOrder order;
    order.depends_on = module_dependencies(configuration.root_module);
    auto remaining = order.depends_on;
    while (!remaining.empty()) {
        std::vector<std::string> ready;
        for (const auto& [name, deps] : remaining)
            if (deps.empty()) ready.push_back(name);  // std::map keeps the group sorted
        if (ready.empty()) report_cycle(remaining);
        for (const auto& name : ready) remaining.erase(name);
        for (auto& [name, deps] : remaining)
            for (const auto& done : ready) deps.erase(done);
        order.groups.push_back(std::move(ready));
    }
    return order;
}

std::vector<std::vector<std::string>> StageOrder::target_groups() const {
    std::vector<std::vector<std::string>> out;
    for (const auto& group : groups) {
        std::vector<std::string> targets;
        for (const auto& name : group) targets.push_back("module." + name);
        out.push_back(std::move(targets));
    }
    return out;
}

std::string render_stage_order(const StageOrder& order) {
    std::string out;
    int stage = 1;
    for (const auto& group : order.target_groups()) {
        std::string line;
        for (const auto& target : group) line += (line.empty() ? "" : ", ") + target;
        out += std::to_string(stage++) + ". " + line + "\n";
    }
    return out;
}

}  // namespace tfstage::plan
