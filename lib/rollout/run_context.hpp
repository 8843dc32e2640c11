// What every part of one run shares: the rollout and its environment, the run's options, its
// journal, the event channel, the secrets to redact, the engines of its roots, and the stages'
// records from before a resume. The scheduler, the executors of each stage kind, the gate,
// the checks and convergence all work through it.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "rollout/journal.hpp"
#include "rollout/model.hpp"
#include "rollout/root_engines.hpp"
#include "rollout/root_workspace.hpp"
#include "rollout/runner.hpp"
#include "support/redactor.hpp"
#include "terraform/engine.hpp"

namespace tfstage::rollout {

class RunContext {
public:
    // Throws Error(invalid_argument) when the environment is not in the rollout. Fills the
    // options' defaults: a cancel token, the environment's grace, the approver.
    RunContext(const Rollout& rollout, RunOptions options, Journal journal);

    const Rollout& rollout;
    const Environment& environment;
    RunOptions options;
    Journal journal;
    Redactor redact;  // every variable value of the file, and sensitive outputs once read
    RootEngines engines;
    // The stages' records before this resume (empty for a new run), by name.
    std::map<std::string, nlohmann::json> previous;
    std::mutex ask_mutex;  // one question at a time on the terminal

    // To every listener; a listener's failure never breaks the run (the journal has the truth).
    void emit(const std::string& type, const std::string& stage, nlohmann::json data = nlohmann::json::object());
    RootWorkspace root_of(const Stage& stage) const;
    // The stage's -var values: the environment's, overridden by the stage's own.
    std::map<std::string, std::string> stage_vars(const Stage& stage) const;
    // An engine on the stage's root, prepared, cancelled by `cancel`, whose apply progress and
    // diagnostics become the stage's events.
    terraform::Engine engine_for(const Stage& stage, process::CancelToken& cancel);
};

// A stage's own token as the shared pointer engines and commands take; it must outlive them
// (it does: the scheduler owns it until the stage returns).
std::shared_ptr<process::CancelToken> borrowed(process::CancelToken& cancel);

}  // namespace tfstage::rollout
