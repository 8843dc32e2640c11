#include "rollout/run_context.hpp"

#include <unistd.h>

#include <cstdlib>

namespace tfstage::rollout {
namespace {

const Environment& environment_of(const Rollout& rollout, const std::string& name) {
    const Environment* environment = rollout.find_environment(name);
    if (environment == nullptr) throw Error(ErrorCode::invalid_argument, "no environment '" + name + "'");
    return *environment;
}

std::string current_user() {
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
    return "uid " + std::to_string(::getuid());
}

RunOptions with_defaults(RunOptions options, const Environment& environment) {
    if (!options.cancel) options.cancel = std::make_shared<process::CancelToken>();
    if (environment.interrupt_grace) options.grace = *environment.interrupt_grace;
    if (options.approver.empty()) options.approver = current_user();
    return options;
}

}  // namespace

std::shared_ptr<process::CancelToken> borrowed(process::CancelToken& cancel) {
    return std::shared_ptr<process::CancelToken>(std::shared_ptr<void>(), &cancel);  // aliasing: owns nothing
}

RunContext::RunContext(const Rollout& rollout_in, RunOptions options_in, Journal journal_in)
    : rollout(rollout_in),
      environment(environment_of(rollout_in, options_in.environment)),
      options(with_defaults(std::move(options_in), environment)),
      journal(std::move(journal_in)),
      engines(options.cli_config, options.grace, options.cancel, journal) {
    for (const auto& [name, value] : environment.vars) redact.add(value);
    for (const auto& stage : rollout.stages)
        for (const auto& [name, value] : stage.vars) redact.add(value);
}

void RunContext::emit(const std::string& type, const std::string& stage, nlohmann::json data) {
    if (!options.on_event) return;
    Event event{type, now_iso8601(), journal.run_id(), stage, std::move(data)};
    try {
        options.on_event(event);
    } catch (...) {
        // A listener's failure must not break the run; the journal has the truth.
    }
}

RootWorkspace RunContext::root_of(const Stage& stage) const { return root_workspace_of(rollout, environment, stage); }

std::map<std::string, std::string> RunContext::stage_vars(const Stage& stage) const {
    std::map<std::string, std::string> vars = environment.vars;
    for (const auto& [name, value] : stage.vars) vars[name] = value;
    return vars;
}

terraform::Engine RunContext::engine_for(const Stage& stage, process::CancelToken& cancel) {
    const RootWorkspace where = root_of(stage);
    engines.prepare(where);
    // The engine's token is the stage's own: a stage deadline cancels only this stage.
    terraform::EngineOptions o = engines.options(where, borrowed(cancel));
    const std::string name = stage.name;
    auto planned = std::make_shared<int>(0);
    auto done = std::make_shared<int>(0);
    o.on_event = [this, name, planned, done](const terraform::UiEvent& e) {
        using terraform::UiEventType;
        // Each command's stream starts with its version message: count the apply's own
        // planned changes, not the plan's as well (that showed 1/2 for one resource).
        if (e.type == UiEventType::version) *planned = *done = 0;
        if (e.type == UiEventType::planned_change && e.action != "read") ++*planned;
        if (e.type == UiEventType::apply_complete || e.type == UiEventType::apply_errored) {
            ++*done;
            emit("progress", name,
                 {{"address", e.resource_addr}, {"action", e.action}, {"done", *done}, {"planned", *planned},
                  {"result", e.type == UiEventType::apply_complete ? "complete" : "errored"}});
        }
        if (e.type == UiEventType::diagnostic && e.diagnostic)
            emit("diagnostic", name, {{"severity", e.diagnostic->severity}, {"summary", redact(e.diagnostic->summary)}});
    };
    return terraform::Engine(o);
}

}  // namespace tfstage::rollout
