#include "rollout_options.hpp"

#include "json_request.hpp"
#include "rollout/approvals.hpp"

namespace tfstage::capi {
namespace {

void check_stage(const rollout::Rollout& rollout, const std::string& name, const char* key) {
    if (rollout.find_stage(name) == nullptr)
        throw Error(ErrorCode::not_found, std::string("\"") + key + "\": there is no stage '" + name + "' in " + rollout.file.string());
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
    o.auto_approve = r.boolean("auto_approve").value_or(false);
    for (auto& approval : r.strings("approve")) {
        check_stage(rollout, rollout::parse_approval(approval).stage, "approve");
        o.approve.insert(std::move(approval));
    }
    o.only = r.strings("only");
    for (const auto& stage : o.only) check_stage(rollout, stage, "only");
    o.from = r.string("from").value_or("");
    if (!o.from.empty()) check_stage(rollout, o.from, "from");
    o.parallelism = static_cast<int>(r.integer("parallelism", 1, 64).value_or(4));
    o.plan_only = r.boolean("plan_only").value_or(false);
    if (auto dir = r.string("state_dir")) o.state_dir = std::filesystem::absolute(*dir);
    if (auto config = r.string("cli_config")) o.cli_config = std::filesystem::absolute(*config);
    o.converge = r.boolean("converge").value_or(true);
    if (auto unconverged = r.string("unconverged")) {
        if (*unconverged == "warning") o.unconverged = rollout::UnconvergedIs::warning;
        else if (*unconverged != "failure")
            throw Error(ErrorCode::invalid_argument, "run options: \"unconverged\" must be \"failure\" or \"warning\"");
    }
    if (auto grace = r.integer("grace_ms", 0, std::int64_t{1} << 40)) o.grace = std::chrono::milliseconds(*grace);
    o.approver = r.string("approver").value_or("");
    return o;
}

}  // namespace tfstage::capi
