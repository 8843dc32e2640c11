#include "plan_build.hpp"

namespace tfstage::capi {

void load_plan_model(tfs_plan& plan, std::string_view show_json) {
    plan.model = plan::parse_plan(show_json);
    plan.summary = plan::summarise(plan.model);
    bool outputs_change = false;
    for (const auto& output : plan.model.output_changes)
        if (output.change.kind != plan::ChangeKind::no_op) outputs_change = true;
    plan.changes_present = plan.summary.overall.total_changes > 0 || outputs_change;
    plan.plan_file_text = plan.plan_file.string();
}

}  // namespace tfstage::capi
