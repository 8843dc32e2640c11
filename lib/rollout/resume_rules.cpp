#include "rollout/resume_rules.hpp"

#include <algorithm>

#include "rollout/changes.hpp"
#include "rollout/graph.hpp"
#include "rollout/stage_inputs.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

std::set<std::string> selected_stages(RunContext& run, const std::vector<std::string>& order) {
    const RunOptions& o = run.options;
    std::set<std::string> selected(order.begin(), order.end());
    if (!o.only.empty()) selected = std::set<std::string>(o.only.begin(), o.only.end());
    if (!o.from.empty()) selected = std::set<std::string>(std::find(order.begin(), order.end(), o.from), order.end());
    if (!o.changed_since.empty()) {
        const ChangeSelection changes = select_changed_stages(run.rollout, run.environment, o.changed_since);
        std::set<std::string> both;
        for (const auto& name : changes.selected())
            if (selected.count(name)) both.insert(name);
        selected = both;
        run.journal.update([&](json& doc) { doc["selection"] = changes.to_json(); });
        run.emit("selection", "", changes.to_json());
    }
    return selected;
}

}  // namespace

StageSelection select_stages(RunContext& run, const json& previous_stages) {
    StageSelection out;
    const StageGraph graph(run.rollout.stages);
    out.order = graph.order();
    for (const auto& name : out.order) out.needs[name] = graph.needs_of(name);
    const std::set<std::string> selected = selected_stages(run, out.order);
    for (const auto& s : previous_stages) run.previous[s.value("name", "")] = upgraded_record(run, s);

    for (const auto& name : out.order) {
        const Stage& stage = *run.rollout.find_stage(name);
        if (!selected.count(name)) {
            out.initial[name] = stage_status::skipped;
            run.journal.update_stage(name, [](json& s) { s["status"] = stage_status::skipped; });
            continue;
        }
        out.initial[name] = stage_status::pending;
        const auto before = run.previous.find(name);
        // A synth changes nothing outside its directory, and the assembly must match the app as
        // it is now (it may have been fixed since): synth-only stages always run again.
        const bool always_again = stage.kind == StageKind::cdk && stage.cdk.synth_only();
        if (before == run.previous.end() || always_again || !is_done(before->second.value("status", "")) ||
            before->second.value("inputs", json()) != stage_inputs(run, stage))
            continue;
        if (stage.kind == StageKind::cdk && before->second.value("templates", json()).is_object()) {
            out.reuse_if_templates_unchanged.insert(name);  // once its synth has run again
            continue;
        }
        out.initial[name] = before->second["status"].get<std::string>();  // finished earlier: never again
        run.emit("stage_reused", name, {{"status", out.initial[name]}});
    }
    return out;
}

std::optional<std::string> reuse_when_ready(RunContext& run, StageSelection& selection, const Stage& stage) {
    if (selection.reuse_if_templates_unchanged.erase(stage.name) == 0) return std::nullopt;
    const json& before = run.previous[stage.name];
    if (template_hashes(stage.cdk) == before["templates"]) {
        const std::string status = before["status"].get<std::string>();
        run.emit("stage_reused", stage.name, {{"status", status}});
        return status;
    }
    run.emit("stage_changed", stage.name, {{"reason", "the templates of its stacks changed since they were deployed"}});
    return std::nullopt;
}

}  // namespace tfstage::rollout
