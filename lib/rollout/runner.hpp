// Executing a rollout: per Terraform stage, plan into a saved plan file, read the model,
// apply the policies, stop at the approval gate, apply exactly that plan, run the checks and
// journal every step; command stages run their argv (for each item); stages on different
// roots run in parallel, stages on the same root and workspace never do. `resume` continues a
// run from its journal without applying a finished stage again.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "rollout/model.hpp"

namespace tfstage::rollout {

// One event of a run: the channel every skin listens to (NDJSON in the command, a C callback,
// a Python iterator). docs/events.md documents the types.
struct Event {
    std::string type;
    std::string time;   // UTC ISO-8601
    std::string run;
    std::string stage;  // "" for run-level events
    nlohmann::json data = nlohmann::json::object();

    // {"type":..,"time":..,"run":..,"stage":..,...data}
    nlohmann::json to_json() const;
};

// What a gate shows a person before asking.
struct GateRequest {
    std::string run;
    std::string stage;
    std::string summary_text;  // the human plan summary
    std::string plan_file;
    std::string plan_sha256;
    bool deletes = false;
};

enum class UnconvergedIs { failure, warning };

struct RunOptions {
    std::string environment;
    bool auto_approve = false;
    // --approve STAGE or STAGE=SHA256 (rollout/approvals.hpp). On resume: the plan awaiting
    // approval for STAGE in the stopped run, refused when there is none or it is not the one
    // named. A new run has no plan anyone has seen, and refuses it; only `rollback` still takes
    // it as an approval in advance of the plans it makes.
    std::set<std::string> approve;
    // Set by resume_rollout from `approve`: stage -> the sha256 of the awaiting plan approved.
    std::map<std::string, std::string> approved_plans;
    std::vector<std::string> only;  // run only these stages (--only)
    std::string from;               // start at this stage (--from)
    int parallelism = 4;
    bool plan_only = false;  // `tfstage plan`: plan every stage, apply nothing
    std::filesystem::path state_dir;   // default: <rollout file's directory>/.tfstage
    std::filesystem::path cli_config;  // Terraform CLI config for children
    // Between SIGINT and SIGKILL for every child (Terraform, the CDK CLI, commands, checks);
    // an environment's interrupt_grace replaces it.
    std::chrono::milliseconds grace{std::chrono::seconds(60)};
    bool converge = true;  // end with an untargeted plan of each root (when the file allows)
    UnconvergedIs unconverged = UnconvergedIs::failure;
    // Asks a person at a terminal; empty when there is none (the gate then stops the run in
    // awaiting_approval). Returns true to approve.
    std::function<bool(const GateRequest&)> ask;
    std::function<void(const Event&)> on_event;
    std::shared_ptr<process::CancelToken> cancel;  // cancel() from any thread interrupts the run
    std::string approver;                          // recorded with approvals; default $USER

    // git (issue 7). Overrides of the environment's guards: the run goes on, and the journal
    // and a `warning` event say which guard was overridden and why it would have refused.
    bool allow_dirty = false;   // --allow-dirty: require_clean
    bool allow_branch = false;  // --allow-branch: require_branch
    bool allow_behind = false;  // --allow-behind: require_up_to_date
    // --changed-since REF: only the stages whose code changed since the merge-base of REF and
    // HEAD (and the working tree), and the stages that need them (rollout/changes.hpp).
    std::string changed_since;
    // For runs made by the library itself (`tfstage rollback`): the journal's kind instead of
    // run/plan, keys added to the journal's header, and the git record to keep instead of
    // asking the working tree (the guards are then not evaluated: the configuration is a
    // commit, not the working tree).
    std::string kind;
    nlohmann::json journal_extra = nlohmann::json::object();
    std::optional<nlohmann::json> git;
};

struct RunResult {
    std::string run_id;
    std::string status;  // a run_status value
    nlohmann::json journal;
};

// Runs the rollout in one environment. Errors in the file or options are thrown before
// anything runs; failures of stages end up in the result's status and the journal.
RunResult run_rollout(const Rollout& rollout, RunOptions options);

// Continues a run (the latest when run_id is empty) from its journal: finished stages whose
// inputs are unchanged are not run again; a stage awaiting approval is applied from its saved
// plan when approved and the plan's hash still matches; an interrupted stage is planned again.
RunResult resume_rollout(const std::filesystem::path& state_dir, const std::string& run_id, RunOptions options);

// Rolls back run `run_id` (rollout/rollback.cpp): the configuration of the last successful
// run before it, in the same environment, is planned and applied stage by stage in reverse
// order, through the same gates; journaled as a run of kind "rollback".
RunResult rollback_run(const std::filesystem::path& state_dir, const std::string& run_id, RunOptions options);

// The state directory for a rollout file: <its directory>/.tfstage unless given.
std::filesystem::path default_state_dir(const Rollout& rollout);

}  // namespace tfstage::rollout
