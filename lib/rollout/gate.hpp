// The approval gate: one decision for every kind of stage, before anything applies. A plan
// (a Terraform plan, or a CDK stage's `cdk diff`) passes by the rule when no review is
// required, by approval in advance (--auto-approve, or `rollback --approve STAGE`), by an
// approval given on resume for exactly this plan's sha256, or by a person at the terminal;
// otherwise the stage waits in awaiting_approval. An approval never carries over to another
// plan: one given for a plan that cannot be applied any more is void, journaled as such, and
// the new plan waits at its gate.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "rollout/run_context.hpp"

namespace tfstage::rollout {

struct GateQuestion {
    bool review_required = true;  // the approval rule, or a policy, wants a person to look
    bool approved_ahead = false;  // --auto-approve, or --approve STAGE in a rollback
    // The sha256 a resume's --approve bound to this stage's awaiting plan, when the plan at
    // hand is a new one compared against it (CDK: the diff made again).
    std::optional<std::string> resumed_approval;
    bool may_ask = true;          // false once an approval of this stage was void
    GateRequest request;          // what a person sees, with its sha256
    nlohmann::json awaiting;      // the awaiting_approval event's data: where the plan is, its hash
};

enum class GateOutcome { approved, awaiting_approval };

// Decides, journals the approval ({by, at, how, plan_sha256}) or the person's rejection, and
// emits gate, stage_approved, approval_void, approval_rejected and awaiting_approval.
GateOutcome pass_gate(RunContext& run, const Stage& stage, GateQuestion question);

// Approved before its plan exists: --auto-approve is the run's own rule; --approve STAGE ahead
// of the plan only in a rollback.
bool approved_in_advance(const RunContext& run, const Stage& stage);

// An approval given for `sha256` that will not be applied: journaled and emitted.
void void_approval(RunContext& run, const Stage& stage, const std::string& sha256, const std::string& reason);

}  // namespace tfstage::rollout
