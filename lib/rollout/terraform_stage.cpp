#include "rollout/terraform_stage.hpp"

#include <algorithm>

#include "ops/plan_with_provenance.hpp"
#include "plan/policy.hpp"
#include "plan/provenance.hpp"
#include "plan/render.hpp"
#include "plan/summary.hpp"
#include "rollout/checks.hpp"
#include "rollout/gate.hpp"
#include "rollout/stage_inputs.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

bool rule_requires_review(const RunContext& run, const Stage& stage, const plan::Summary& summary) {
    const bool deletes = summary.overall.delete_ > 0 || summary.overall.replace > 0;
    if (run.environment.policies && run.environment.policies->require_approval_for_delete && deletes) return true;
    switch (stage.approval.value_or(run.environment.approval)) {
        case ApprovalRule::auto_approve: return false;
        case ApprovalRule::manual: return true;
        case ApprovalRule::manual_when_deleting: return deletes;
    }
    return true;
}

class TerraformStage {
public:
    TerraformStage(RunContext& run, const Stage& stage, process::CancelToken& cancel)
        : run_(run), stage_(stage), cancel_(cancel) {}

    std::string execute() {
        if (auto status = apply_approved_saved_plan()) return *status;
        return plan_and_apply(/*approval_void=*/false);
    }

private:
    std::optional<std::string> apply_approved_saved_plan();
    std::string plan_and_apply(bool approval_void);
    std::string apply_saved_plan(terraform::Engine& engine, const fs::path& plan_file, const std::string& plan_sha256);

    RunContext& run_;
    const Stage& stage_;
    process::CancelToken& cancel_;
};

// On resume: a stage that stopped at its gate and is approved now applies the plan that was
// shown. When the state has moved on, Terraform refuses the plan as stale; the stage is
// planned again and that new plan needs a new approval.
std::optional<std::string> TerraformStage::apply_approved_saved_plan() {
    const auto before = run_.previous.find(stage_.name);
    if (before == run_.previous.end() || before->second.value("status", "") != stage_status::awaiting_approval)
        return std::nullopt;
    const auto bound = run_.options.approved_plans.find(stage_.name);
    const bool approved_on_resume = bound != run_.options.approved_plans.end();
    if (!approved_on_resume && !run_.options.auto_approve) return std::nullopt;
    const json& plan = before->second.value("plan", json::object());
    const fs::path plan_file = plan.value("file", "");
    const std::string sha256 = plan.value("sha256", "");
    std::string why_not;
    if (plan_file.empty() || !fs::exists(plan_file)) why_not = "its saved plan file is gone";
    else if (before->second.value("inputs", json()) != stage_inputs(run_, stage_)) why_not = "the stage's inputs changed since it was planned";
    else if (approved_on_resume && bound->second != sha256) why_not = "it is not the plan approved";
    if (!why_not.empty()) {
        if (!approved_on_resume) return std::nullopt;  // --auto-approve: the new plan is approved by it too
        // A person approved that plan, not the one a new plan will be: it waits at its gate.
        void_approval(run_, stage_, sha256, why_not);
        return plan_and_apply(/*approval_void=*/true);
    }
    run_.journal.update_stage(stage_.name, [&](json& s) {
        s["plan"] = plan;
        s["approval"] = {{"by", run_.options.approver},
                         {"at", now_iso8601()},
                         {"how", approved_on_resume ? "resume" : "auto_approve"},
                         {"plan_sha256", sha256}};
    });
    run_.emit("stage_approved", stage_.name, {{"plan_sha256", sha256}});
    terraform::Engine engine = run_.engine_for(stage_, cancel_);
    try {
        return apply_saved_plan(engine, plan_file, sha256);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::plan_stale) throw;
        run_.journal.update_stage(stage_.name, [&](json& s) {
            s["stale_plan"] = {{"sha256", sha256}, {"refused_at", now_iso8601()}, {"message", e.what()}};
            s.erase("approval");
        });
        run_.emit("plan_stale", stage_.name, {{"plan_sha256", sha256}});
        return plan_and_apply(/*approval_void=*/true);
    }
}

// approval_void: an approval given for an earlier plan of this stage could not be used; this
// new plan waits at its gate and no approval in advance covers it.
std::string TerraformStage::plan_and_apply(bool approval_void) {
    terraform::Engine engine = run_.engine_for(stage_, cancel_);
    const fs::path plan_file = run_.journal.run_dir() / "plans" / (stage_.name + ".tfplan");

    terraform::PlanOptions plan_options;
    for (const auto& [name, value] : run_.stage_vars(stage_)) plan_options.vars.push_back({name, value});
    plan_options.var_files = run_.environment.var_files;
    plan_options.targets = stage_.targets;
    plan_options.excludes = stage_.excludes;
    plan_options.destroy = stage_.kind == StageKind::destroy;
    plan_options.out = plan_file;
    run_.emit("stage_planning", stage_.name);
    const RootWorkspace where = run_.root_of(stage_);
    const ops::SavedPlan saved = ops::plan_with_provenance(engine, plan_options, {where.workspace, run_.options.git});
    const auto& planned = saved.result;
    const plan::Provenance& provenance = saved.provenance;
    fs::permissions(plan_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);

    // The model from show -json, streamed to a file and summarised without a DOM.
    const fs::path shown = run_.journal.run_dir() / "plans" / (stage_.name + ".plan.json");
    engine.show_json(plan_file, shown);
    const plan::Summary summary = plan::summarise_file(shown);
    fs::remove(shown);  // it holds values in clear text; the saved plan is the record

    run_.journal.update_stage(stage_.name, [&](json& s) {
        s["plan"] = {{"file", plan_file.string()},
                     {"sha256", provenance.plan_sha256},
                     {"changes_present", planned.changes_present},
                     {"summary", plan::counts_json(summary.overall)},
                     {"git_commit", provenance.git.is_object() ? provenance.git.value("commit", "") : ""}};
        s["engine_launches"] = engine.launches();
    });
    run_.emit("stage_planned", stage_.name,
              {{"summary", plan::counts_json(summary.overall)}, {"plan_file", plan_file.string()}, {"sha256", provenance.plan_sha256}});

    if (!planned.changes_present) {
        // An earlier attempt applied but its checks never passed (they failed, or the run died
        // before they finished): nothing to apply now, but the stage is finished only when they pass.
        if (!run_.options.plan_only && run_.journal.stage(stage_.name).value("checks_pending", false)) {
            run_.emit("checks_pending", stage_.name, {{"reason", "the checks of an earlier attempt have not passed"}});
            return finish_with_checks(run_, stage_, cancel_);
        }
        return stage_status::no_changes;
    }

    // Policies: before any gate, before any apply.
    const bool ahead = !approval_void && approved_in_advance(run_, stage_);
    if (run_.environment.policies) {
        const auto violations = plan::evaluate(*run_.environment.policies, summary, {ahead});
        if (!violations.empty()) {
            run_.journal.update_stage(stage_.name, [&](json& s) { s["policy_violations"] = plan::to_json(violations); });
            run_.emit("policy_violation", stage_.name, {{"violations", plan::to_json(violations)}});
            // A delete that only needs approval goes to the gate; any other rule refuses.
            const bool only_approval = std::all_of(violations.begin(), violations.end(),
                                                   [](const plan::Violation& v) { return v.rule == "approval_required"; });
            if (!only_approval) return stage_status::policy_violation;
        }
    }
    if (run_.options.plan_only) return stage_status::succeeded;

    GateQuestion question;
    question.review_required = rule_requires_review(run_, stage_, summary);
    question.approved_ahead = ahead;
    question.may_ask = !approval_void;
    const bool deletes = summary.overall.delete_ + summary.overall.replace > 0;
    question.request = {run_.journal.run_id(), stage_.name, plan::render_text(summary), plan_file.string(),
                        provenance.plan_sha256, deletes};
    question.awaiting = {{"plan_file", plan_file.string()}, {"sha256", provenance.plan_sha256}};
    if (pass_gate(run_, stage_, question) == GateOutcome::awaiting_approval) return stage_status::awaiting_approval;
    return apply_saved_plan(engine, plan_file, provenance.plan_sha256);
}

std::string TerraformStage::apply_saved_plan(terraform::Engine& engine, const fs::path& plan_file,
                                             const std::string& plan_sha256) {
    // Apply exactly the reviewed plan: its bytes must still be the ones approved.
    const std::string actual = plan::sha256_file(plan_file);
    if (actual != plan_sha256)
        throw Error(ErrorCode::plan_stale, "the plan file " + plan_file.string() + " changed after it was approved (sha256 " +
                                               actual + ", approved " + plan_sha256 + "); plan the stage again");
    mark_checks_pending(run_, stage_);
    run_.emit("stage_applying", stage_.name);
    const auto launches_before = engine.launches();
    const auto applied = engine.apply({.plan_file = plan_file});
    run_.engines.applied(run_.root_of(stage_), applied.outputs);  // ${output.NAME} without another launch
    run_.journal.update_stage(stage_.name, [&](json& s) {
        s["engine_launches"] = s.value("engine_launches", 0) + (engine.launches() - launches_before);
        if (applied.summary)
            s["applied"] = {{"add", applied.summary->add},
                            {"change", applied.summary->change},
                            {"remove", applied.summary->remove},
                            {"import", applied.summary->import}};
    });
    return finish_with_checks(run_, stage_, cancel_);
}

}  // namespace

std::string execute_terraform_stage(RunContext& run, const Stage& stage, process::CancelToken& cancel) {
    return TerraformStage(run, stage, cancel).execute();
}

}  // namespace tfstage::rollout
