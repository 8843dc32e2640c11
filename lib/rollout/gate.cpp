#include "rollout/gate.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// A person answered "no": journaled, and a later run of the file warns about it.
void record_rejection(RunContext& run, const Stage& stage, const std::string& sha256) {
    const json rejected{{"by", run.options.approver}, {"at", now_iso8601()}, {"plan_sha256", sha256}};
    run.journal.update_stage(stage.name, [&](json& s) { s["rejected"] = rejected; });
    run.emit("approval_rejected", stage.name, rejected);
}

}  // namespace

bool approved_in_advance(const RunContext& run, const Stage& stage) {
    return run.options.auto_approve || (run.options.kind == "rollback" && run.options.approve.count(stage.name) > 0);
}

void void_approval(RunContext& run, const Stage& stage, const std::string& sha256, const std::string& reason) {
    run.journal.update_stage(stage.name, [&](json& s) {
        s["approval_void"] = {{"plan_sha256", sha256}, {"at", now_iso8601()}, {"reason", reason}};
    });
    run.emit("approval_void", stage.name, {{"plan_sha256", sha256}, {"reason", reason}});
}

GateOutcome pass_gate(RunContext& run, const Stage& stage, GateQuestion question) {
    const std::string& sha256 = question.request.plan_sha256;
    std::string how;
    if (!question.review_required) {
        how = "rule";
    } else {
        if (question.resumed_approval && *question.resumed_approval != sha256) {
            void_approval(run, stage, *question.resumed_approval, "the plan changed since it was approved");
            question.may_ask = false;
        }
        if (question.approved_ahead) {
            how = run.options.auto_approve ? "auto_approve" : "approve_flag";
        } else if (question.resumed_approval && *question.resumed_approval == sha256) {
            how = "resume";
            run.emit("stage_approved", stage.name, {{"plan_sha256", sha256}});
        } else if (run.options.ask && question.may_ask) {
            run.emit("gate", stage.name, {{"plan_sha256", sha256}});
            std::unique_lock ask_lock(run.ask_mutex);
            const bool yes = run.options.ask(question.request);
            ask_lock.unlock();
            if (!yes) {
                record_rejection(run, stage, sha256);
                run.emit("awaiting_approval", stage.name, question.awaiting);
                return GateOutcome::awaiting_approval;
            }
            how = "prompt";
        } else {
            run.emit("awaiting_approval", stage.name, question.awaiting);
            return GateOutcome::awaiting_approval;
        }
    }
    run.journal.update_stage(stage.name, [&](json& s) {
        s["approval"] = {{"by", how == "rule" ? "rule" : run.options.approver},
                         {"at", now_iso8601()},
                         {"how", how},
                         {"plan_sha256", sha256}};
    });
    return GateOutcome::approved;
}

}  // namespace tfstage::rollout
