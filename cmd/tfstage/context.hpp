// What every verb shares: the global options, the engine they configure, how results are
// printed, and the exit codes.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process/process.hpp"
#include "rollout/run_outcome.hpp"
#include "support/error.hpp"
#include "terraform/engine.hpp"

namespace tfstage::cli {

// Documented in README.md ("Exit codes"); a run's status maps to them in rollout/run_outcome.
enum ExitCode : int {
    exit_ok = rollout::exit_code::ok,
    exit_failure = rollout::exit_code::failure,
    exit_usage = rollout::exit_code::usage,
    exit_awaiting_approval = rollout::exit_code::awaiting_approval,
    exit_policy_violation = rollout::exit_code::policy_violation,
    exit_deadline = rollout::exit_code::deadline,
    exit_unconverged = rollout::exit_code::unconverged,
    exit_interrupted = rollout::exit_code::interrupted,
};

int exit_code_for(ErrorCode code);

struct GlobalOptions {
    std::string chdir;       // -C: the root module
    std::string engine;      // --engine: terraform/tofu binary
    std::string cli_config;  // --cli-config: Terraform CLI config for children
    std::string workspace;   // -w: the workspace for this call
    bool json = false;       // --json: machine-readable output
    bool color = true;       // off with NO_COLOR or when stdout is not a terminal
};

struct Context {
    GlobalOptions global;
    std::shared_ptr<process::CancelToken> cancel = std::make_shared<process::CancelToken>();
    int exit_code = exit_ok;  // set by the verb that ran

    // An engine on the -C directory, streaming events to the terminal (or as NDJSON).
    terraform::Engine engine(bool stream_events = true);
};

// --var NAME=VALUE arguments; Error(invalid_argument) for one without a name or '='.
std::vector<terraform::Variable> parse_vars(const std::vector<std::string>& vars);

void register_workspace(CLI::App& app, Context& context);
void register_engine(CLI::App& app, Context& context);
void register_show(CLI::App& app, Context& context);
void register_address(CLI::App& app, Context& context);
void register_targets(CLI::App& app, Context& context);
void register_stages(CLI::App& app, Context& context);
void register_run(CLI::App& app, Context& context);  // run and plan
void register_resume(CLI::App& app, Context& context);
void register_rollback(CLI::App& app, Context& context);
void register_status(CLI::App& app, Context& context);    // status and history
void register_validate(CLI::App& app, Context& context);  // validate and graph

}  // namespace tfstage::cli
