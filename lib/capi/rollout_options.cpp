#include "rollout_options.hpp"

#include "json_request.hpp"
#include "rollout/approvals.hpp"

namespace tfstage::capi {
namespace {

// An unknown stage is a bad argument, as the runner and the command say (TFS_EINVAL).
void check_stage(const rollout::Rollout& rollout, const std::string& name, const char* key) {
    if (rollout.find_stage(name) == nullptr)
        throw Error(ErrorCode::invalid_argument,
                    std::string("\"") + key + "\": there is no stage '" + name + "' in " + rollout.file.string());
}

// The keys every kind of run takes (run, resume, approve, rollback).
void read_common(const Request& r, const rollout::Rollout& rollout, rollout::RunOptions& o) {
    o.auto_approve = r.boolean("auto_approve").value_or(false);
    for (auto& approval : r.strings("approve")) {
        check_stage(rollout, rollout::parse_approval(approval).stage, "approve");
        o.approve.insert(std::move(approval));
    }
    if (auto dir = r.string("state_dir")) o.state_dir = std::filesystem::absolute(*dir);
    if (auto config = r.string("cli_config")) o.cli_config = std::filesystem::absolute(*config);
    if (auto grace = r.integer("grace_ms", 0, std::int64_t{1} << 40)) o.grace = std::chrono::milliseconds(*grace);
    o.approver = r.string("approver").value_or("");
}

}  // namespace

rollout::RunOptions run_options(const rollout::Rollout& rollout, const char* options_json, bool environment_required) {
    const Request r(options_json, "run");
    rollout::RunOptions o;
    o.environment = r.string("environment").value_or("");
    if (environment_required) {
        if (o.environment.empty()) throw Error(ErrorCode::invalid_argument, "run options: \"environment\" is required");
        if (rollout.find_environment(o.environment) == nullptr)
            throw Error(ErrorCode::not_found, "there is no environment '" + o.environment + "' in " + rollout.file.string());
    }
    read_common(r, rollout, o);
    o.only = r.strings("only");
    for (const auto& stage : o.only) check_stage(rollout, stage, "only");
    o.from = r.string("from").value_or("");
    if (!o.from.empty()) check_stage(rollout, o.from, "from");
    o.parallelism = static_cast<int>(r.integer("parallelism", 1, 64).value_or(4));
    o.plan_only = r.boolean("plan_only").value_or(false);
    o.converge = r.boolean("converge").value_or(true);
    if (auto unconverged = r.string("unconverged")) {
        if (*unconverged == "warning") o.unconverged = rollout::UnconvergedIs::warning;
        else if (*unconverged != "failure")
            throw Error(ErrorCode::invalid_argument, "run options: \"unconverged\" must be \"failure\" or \"warning\"");
    }
    o.allow_dirty = r.boolean("allow_dirty").value_or(false);
    o.allow_branch = r.boolean("allow_branch").value_or(false);
    o.allow_behind = r.boolean("allow_behind").value_or(false);
    o.changed_since = r.string("changed_since").value_or("");
    return o;
}

rollout::RunOptions rollback_options(const rollout::Rollout& rollout, const char* options_json) {
    const Request r(options_json, "rollback");
    rollout::RunOptions o;
    read_common(r, rollout, o);
    return o;
}

}  // namespace tfstage::capi
