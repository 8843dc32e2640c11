// How a rollout shows itself: NDJSON events with --json; otherwise one line per stage with its
// status, and a progress bar for the running stage when stdout is a terminal.
#pragma once

#include <functional>
#include <string>

#include "context.hpp"
#include "rollout/runner.hpp"

namespace tfstage::cli {

// The event listener for the run's skin.
std::function<void(const rollout::Event&)> rollout_printer(const Context& context);

// A yes/no question at the terminal, or empty when stdin or stdout is not one (the gate then
// stops the run in awaiting_approval).
std::function<bool(const rollout::GateRequest&)> terminal_gate(const Context& context);

// The command's exit code for a run's final status.
int exit_code_for_status(const std::string& status);

// Run options shared by run, plan and resume.
rollout::RunOptions base_run_options(const Context& context);

}  // namespace tfstage::cli
