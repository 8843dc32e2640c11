#include "rollout/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include "cdk/assembly.hpp"
#include "cdk/cli.hpp"
#include "plan/policy.hpp"
#include "plan/provenance.hpp"
#include "plan/render.hpp"
#include "plan/summary.hpp"
#include "git/git.hpp"
#include "rollout/approvals.hpp"
#include "rollout/attempts.hpp"
#include "rollout/changes.hpp"
#include "rollout/graph.hpp"
#include "rollout/guards.hpp"
#include "rollout/input_key.hpp"
#include "rollout/journal.hpp"
#include "rollout/liveness.hpp"
#include "rollout/lock.hpp"
#include "rollout/missing_output.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/scheduler.hpp"
#include "rollout/substitute.hpp"
#include "support/atomic_file.hpp"
#include "support/digest.hpp"
#include "support/log.hpp"

#include <spdlog/spdlog.h>
#include "terraform/engine.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace tfstage::rollout {
namespace {

using Clock = std::chrono::steady_clock;

bool is_terraform(const Stage& stage) { return stage.kind == StageKind::apply || stage.kind == StageKind::destroy; }

const char* kind_name(StageKind kind) {
    switch (kind) {
        case StageKind::apply: return "apply";
        case StageKind::destroy: return "destroy";
        case StageKind::command: return "command";
        case StageKind::cdk: return "cdk";
    }
    return "?";
}

std::string iso8601(std::chrono::system_clock::time_point at) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[40];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(millis));
    return out;
}

long long millis_between(std::chrono::system_clock::time_point a, std::chrono::system_clock::time_point b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
}

// A stack's record in the journal: what happened, and when (for the timing table and for
// seeing which stacks deployed together).
json stack_json(const cdk::StackResult& s, const std::string& action) {
    json out{{"stack", s.stack}, {"action", action}, {"status", s.status}};
    if (s.started) out["started_at"] = iso8601(*s.started);
    if (s.finished) out["finished_at"] = iso8601(*s.finished);
    if (s.started && s.finished) out["duration_ms"] = millis_between(*s.started, *s.finished);
    if (!s.message.empty()) out["message"] = s.message;
    return out;
}

std::string current_user() {
    if (const char* user = std::getenv("USER"); user != nullptr && *user != '\0') return user;
    return "uid " + std::to_string(::getuid());
}

// A root module in the chosen environment: where Terraform runs, and in which workspace.
struct Target {
    fs::path working_dir;
    std::string workspace;
    std::string engine;  // binary; "" for discovery
    std::string key() const { return working_dir.string() + "\n" + workspace; }
};

Target target_in(const Rollout& rollout, const Environment& environment, const Stage& stage) {
    const Root* root = stage.root.empty() ? (rollout.roots.size() == 1 ? &rollout.roots.front() : nullptr)
                                          : rollout.find_root(stage.root);
    if (root == nullptr)
        throw Error(ErrorCode::invalid_argument, "stage '" + stage.name + "' names no root and the file has several");
    Target target;
    target.working_dir = environment.directory.empty() ? root->path : root->path / environment.directory;
    target.workspace = environment.workspace.empty() ? "default" : environment.workspace;
    target.engine = root->engine;
    return target;
}

using Locks = std::vector<std::unique_ptr<RolloutLock>>;

// A local lock per root and workspace, taken before the run writes anything: a second rollout
// is refused now, not halfway, and leaves no journal behind (nor anything in the live run's).
Locks lock_roots(const Rollout& rollout, const std::string& environment_name, const std::string& run_id) {
    const Environment* environment = rollout.find_environment(environment_name);
    Locks locks;
    if (environment == nullptr) return locks;
    std::set<std::string> keys;
    for (const auto& stage : rollout.stages) {
        if (!is_terraform(stage)) continue;
        const Target target = target_in(rollout, *environment, stage);
        if (keys.insert(target.key()).second)
            // Next to Terraform's own data, so that any rollout file or state dir sees it.
            locks.push_back(std::make_unique<RolloutLock>(target.working_dir / ".terraform" / "tfstage-locks",
                                                          target.working_dir, target.workspace, run_id));
    }
    return locks;
}

// Replaces every known secret (variable values, sensitive outputs) in text that is about to be
// stored or shown. Short values are left alone: "1" or "true" would garble everything.
class Redactor {
public:
    void add(const std::string& secret) {
        std::lock_guard lock(mutex_);
        if (secret.size() >= 4) secrets_.insert(secret);
    }
    std::string operator()(std::string text) const {
        std::lock_guard lock(mutex_);
        for (const auto& secret : secrets_) {
            for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
                text.replace(pos, secret.size(), "<redacted>");
        }
        return text;
    }

private:
    mutable std::mutex mutex_;
    std::set<std::string> secrets_;
};

std::string tail(const std::string& text, std::size_t max = 2000) {
    return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

json counts_json(const plan::Counts& c) {
    return {{"create", c.create}, {"update", c.update}, {"delete", c.delete_}, {"replace", c.replace},
            {"read", c.read},     {"import", c.import}, {"no_op", c.no_op},    {"forget", c.forget},
            {"total_changes", c.total_changes}};
}

json error_json(const Error& e) {
    json diagnostics = json::array();
    for (const auto& d : e.diagnostics())
        diagnostics.push_back({{"severity", d.severity}, {"summary", d.summary}, {"detail", d.detail},
                               {"filename", d.filename}, {"line", d.line}, {"column", d.column}});
    json out{{"code", to_string(e.code())}, {"message", e.what()}, {"diagnostics", diagnostics}};
    // Terraform did not stop within its grace after SIGINT: its state lock may be left behind.
    if (const auto* engine = dynamic_cast<const terraform::EngineError*>(&e); engine != nullptr && engine->killed())
        out["killed"] = true;
    return out;
}

class Execution : private StageExecutor {
public:
    Execution(const Rollout& rollout, RunOptions options, Journal journal, Locks locks)
        : rollout_(rollout), options_(std::move(options)), journal_(std::move(journal)), locks_(std::move(locks)) {
        environment_ = rollout_.find_environment(options_.environment);
        if (environment_ == nullptr) throw Error(ErrorCode::invalid_argument, "no environment '" + options_.environment + "'");
        if (!options_.cancel) options_.cancel = std::make_shared<process::CancelToken>();
        if (environment_->interrupt_grace) options_.grace = *environment_->interrupt_grace;
        if (options_.approver.empty()) options_.approver = current_user();
        for (const auto& [name, value] : environment_->vars) redact_.add(value);
        for (const auto& stage : rollout_.stages)
            for (const auto& [name, value] : stage.vars) redact_.add(value);
    }

    RunResult run(const json& previous_stages);

private:
    // --- scheduling -------------------------------------------------------------------
    void select_stages(const json& previous_stages);
    // The git provenance into the journal, then the environment's guards (throws when one refuses).
    void record_git();
    // What a plan's provenance record says about git (null outside a repository).
    json plan_git(const Target& target) const;
    void schedule();
    std::string run_status() const;

    // --- StageExecutor: what the scheduler asks ----------------------------------------
    std::string execute(const Stage& stage, process::CancelToken& cancel) override;
    // Terraform stages on one root and workspace share a state lock; others touch none.
    std::string exclusive_key(const Stage& stage) const override;
    std::optional<std::string> reuse_when_ready(const Stage& stage) override;
    void event(const std::string& type, const std::string& stage, const json& data) override { emit(type, stage, data); }

    // --- one stage ----------------------------------------------------------------------
    std::string execute_terraform(const Stage& stage, process::CancelToken& cancel, bool approval_void = false);
    std::optional<std::string> apply_approved_saved_plan(const Stage& stage, process::CancelToken& cancel);
    std::string execute_command_stage(const Stage& stage, process::CancelToken& cancel);
    std::string execute_cdk(const Stage& stage, process::CancelToken& cancel);
    // ${output.STACK.KEY}: the outputs of every CDK stack this run deployed.
    void add_cdk_outputs(Variables& vars);
    // item: the last for_each value, for checks that use ${item}.
    std::string after_apply(const Stage& stage, process::CancelToken& cancel, const std::string& item = "");
    // A stage with checks is finished only when they pass: recorded before anything applies.
    void mark_checks_pending(const Stage& stage);
    // A person answered "no" at the gate: journaled, and a later run warns about it.
    void record_rejection(const Stage& stage, const std::string& sha256);
    // Approved before its plan exists: --auto-approve, or --approve STAGE in a rollback.
    bool approved_ahead(const Stage& stage) const;
    // Warnings about plans people rejected in the previous run of this file and environment.
    void warn_about_rejections();
    bool run_checks(const Stage& stage, process::CancelToken& cancel, const std::string& item);
    std::string run_rollback(const Stage& stage, process::CancelToken& cancel);
    std::string apply_saved_plan(const Stage& stage, terraform::Engine& engine, const fs::path& plan_file,
                                 const std::string& plan_sha256, process::CancelToken& cancel);

    // --- helpers ------------------------------------------------------------------------
    Target target_of(const Stage& stage) const;
    terraform::Engine engine_for(const Stage& stage, process::CancelToken& cancel);
    void prepare(const Target& target);
    json stage_inputs(const Stage& stage);
    json upgraded_record(json record);
    // The stage's -var values: the environment's, overridden by the stage's own.
    std::map<std::string, std::string> stage_vars(const Stage& stage) const;
    const terraform::EngineInfo& engine_info(const Target& target);
    // Options every engine of a target shares; cancelled by `cancel` (the run's by default).
    terraform::EngineOptions engine_options(const Target& target, const std::shared_ptr<process::CancelToken>& cancel);
    Variables variables_for(const Stage& stage, const std::string& item);
    process::Result run_command(const CommandSpec& spec, const Variables& vars, process::CancelToken& cancel);
    bool needs_approval(const Stage& stage, const plan::Summary& summary) const;
    void converge();
    void emit(const std::string& type, const std::string& stage, json data = json::object());

    const Rollout& rollout_;
    RunOptions options_;
    Journal journal_;
    const Environment* environment_ = nullptr;
    Redactor redact_;

    std::vector<std::string> order_;               // stage names, dependencies first
    std::map<std::string, std::string> state_;     // stage -> its status before the run, then after it
    std::map<std::string, std::vector<std::string>> needs_;
    Scheduler* scheduler_ = nullptr;               // while schedule() runs

    std::mutex ask_mutex_;
    std::mutex prepare_mutex_;
    std::mutex info_mutex_;
    std::map<std::string, terraform::EngineInfo> engine_infos_;  // target key -> version -json, asked once
    std::set<std::string> prepared_;  // targets already initialised and on their workspace
    std::mutex outputs_mutex_;
    std::map<std::string, json> outputs_;  // target key -> output -json (dropped after an apply)

    std::map<std::string, json> previous_;  // the stages' records before this resume
    // Finished CDK deploy stages a resume reuses only if their stacks' templates, synthesized
    // anew, are the ones they deployed: decided when the stage is ready.
    std::set<std::string> reuse_if_unchanged_;

    bool deadline_hit_ = false;  // the rollout's deadline passed (after schedule())
    std::optional<Clock::time_point> rollout_deadline_;
    Locks locks_;
};

// ---------------------------------------------------------------------------------------

void Execution::emit(const std::string& type, const std::string& stage, json data) {
    if (!options_.on_event) return;
    Event event{type, now_iso8601(), journal_.run_id(), stage, std::move(data)};
    try {
        options_.on_event(event);
    } catch (...) {
        // A listener's failure must not break the run; the journal has the truth.
    }
}

Target Execution::target_of(const Stage& stage) const { return target_in(rollout_, *environment_, stage); }

std::string Execution::exclusive_key(const Stage& stage) const {
    if (!is_terraform(stage)) return "";  // commands and CDK stages do not touch a Terraform state
    return target_of(stage).key();
}

terraform::Engine Execution::engine_for(const Stage& stage, process::CancelToken& cancel) {
    const Target target = target_of(stage);
    prepare(target);
    // The engine's token is the stage's own: a stage deadline cancels only this stage.
    terraform::EngineOptions o =
        engine_options(target, std::shared_ptr<process::CancelToken>(std::shared_ptr<void>(), &cancel));
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
            emit("diagnostic", name, {{"severity", e.diagnostic->severity}, {"summary", redact_(e.diagnostic->summary)}});
    };
    return terraform::Engine(o);
}

// init once per root directory, and the workspace selected or created once.
void Execution::prepare(const Target& target) {
    std::lock_guard lock(prepare_mutex_);
    if (prepared_.count(target.key())) return;
    terraform::EngineOptions o = engine_options(target, nullptr);
    o.workspace.clear();  // it may not exist yet: select-or-create below
    terraform::Engine engine(o);
    engine.init();
    if (target.workspace != "default") engine.workspace_select_or_create(target.workspace);
    journal_.update([&](json& doc) {
        doc["setup"][target.working_dir.string()] = {{"workspace", target.workspace},
                                                     {"engine_launches", engine.launches()},
                                                     {"engine", {{"flavour", terraform::to_string(engine.info().flavour)},
                                                                 {"version", engine.info().version.str()}}}};
    });
    prepared_.insert(target.key());
}

// What a stage's result depends on: when these are unchanged, a finished stage need not run
// again on resume. Variable values go in only as part of one hash (they may be secret).
// The engine of a target, asked once per run (`version -json`): every Engine made after that
// starts with it, so a stage costs only its plan, show and apply launches.
const terraform::EngineInfo& Execution::engine_info(const Target& target) {
    std::lock_guard lock(info_mutex_);
    auto it = engine_infos_.find(target.key());
    if (it == engine_infos_.end()) {
        terraform::EngineOptions o;
        o.working_dir = target.working_dir;
        o.binary = target.engine;
        o.cli_config_file = options_.cli_config;
        it = engine_infos_.emplace(target.key(), terraform::Engine(o).info()).first;
    }
    return it->second;
}

terraform::EngineOptions Execution::engine_options(const Target& target,
                                                   const std::shared_ptr<process::CancelToken>& cancel) {
    terraform::EngineOptions o;
    o.working_dir = target.working_dir;
    o.binary = target.engine;
    o.cli_config_file = options_.cli_config;
    o.workspace = target.workspace;
    o.grace = options_.grace;
    o.cancel = cancel ? cancel : options_.cancel;
    o.known_info = engine_info(target);
    return o;
}

std::map<std::string, std::string> Execution::stage_vars(const Stage& stage) const {
    std::map<std::string, std::string> vars = environment_->vars;
    for (const auto& [name, value] : stage.vars) vars[name] = value;
    return vars;
}

// sha256 of each deployed stack's template in the stage's assembly: {"STACK": "hex"}; null when
// there is no assembly to read (an app command, or not synthesized).
json template_hashes(const CdkStage& c) {
    const fs::path dir = c.assembly_dir();
    if (c.deploy.empty() || dir.empty() || !cdk::is_assembly(dir)) return nullptr;
    try {
        const auto assembly = cdk::read_assembly(dir);
        json out = json::object();
        for (const auto& name : c.deploy) {
            const cdk::Stack* stack = assembly.find(name);
            if (stack == nullptr) return nullptr;
            out[name] = plan::sha256_file(dir / stack->template_file);
        }
        return out;
    } catch (const Error&) {
        return nullptr;
    }
}

// One sha256 over the configuration a Terraform stage applies (its configuration_files). A
// resume runs a finished stage again when it changed: a saved plan carries the configuration it
// was made from, not today's.
std::string configuration_hash(const fs::path& root, const std::vector<std::string>& targets) {
    std::string listing;
    for (const auto& file : configuration_files(root, targets))
        listing += file.lexically_relative(root).string() + " " + plan::sha256_file(file) + "\n";
    return sha256_hex(listing);
}

json Execution::stage_inputs(const Stage& stage) {
    json inputs{{"kind", static_cast<int>(stage.kind)}, {"targets", stage.targets}, {"excludes", stage.excludes}};
    if (stage.kind == StageKind::command) {
        inputs["argv"] = stage.command.argv;
        inputs["for_each"] = stage.for_each;
        return inputs;
    }
    if (stage.kind == StageKind::cdk) {
        const CdkStage& c = stage.cdk;
        json env_names = json::array();
        for (const auto& [name, value] : c.env) env_names.push_back(name);
        inputs["cdk"] = {{"dir", c.dir.string()},         {"app", c.app},         {"synth", c.synth.string()},
                         {"deploy", c.deploy},            {"destroy", c.destroy}, {"concurrency", c.concurrency},
                         {"context", c.context},          {"method", c.method},   {"rollback", c.rollback},
                         {"cli", c.cli},                  {"env_names", env_names}};
        return inputs;
    }
    const Target target = target_of(stage);
    inputs["working_dir"] = target.working_dir.string();
    inputs["workspace"] = target.workspace;
    const auto& info = engine_info(target);
    inputs["engine"] = std::string(terraform::to_string(info.flavour)) + " " + info.version.str();
    json files = json::array();
    for (const auto& file : environment_->var_files) {
        std::string hash;
        try {
            hash = plan::sha256_file(file);
        } catch (const Error&) {
            hash = "missing";
        }
        files.push_back({{"path", file.string()}, {"sha256", hash}});
    }
    inputs["var_files"] = files;
    const auto vars = stage_vars(stage);
    json names = json::array();
    for (const auto& [name, value] : vars) names.push_back(name);
    inputs["var_names"] = names;
    inputs["vars_hmac"] = vars_hmac(options_.state_dir, vars_text(vars));  // keyed: see input_key.hpp
    inputs["code_sha256"] = configuration_hash(target.working_dir, stage.targets);
    return inputs;
}

// A stage record journaled with the old unsalted vars_sha256: compared by it once, then
// journaled with vars_hmac only (input_key.hpp).
json Execution::upgraded_record(json record) {
    const Stage* stage = rollout_.find_stage(record.value("name", ""));
    if (stage != nullptr && is_terraform(*stage) &&
        upgrade_legacy_vars_hash(record, options_.state_dir, vars_text(stage_vars(*stage))))
        journal_.update_stage(stage->name, [&](json& s) { s["inputs"] = record["inputs"]; });
    return record;
}

Variables Execution::variables_for(const Stage& stage, const std::string& item) {
    Variables vars{{"env", environment_->name},
                   {"workspace", environment_->workspace.empty() ? "default" : environment_->workspace}};
    if (!item.empty()) vars["item"] = item;
    // ${output.NAME}: outputs of the stage's root, read once after each apply and only when a
    // command uses them (an extra engine launch).
    // ${output.NAME} is a Terraform output, ${output.STACK.KEY} a CDK stack's.
    bool wants_outputs = false;
    bool wants_cdk_outputs = false;
    std::vector<std::string> wanted;  // the NAMEs of ${output.NAME}
    auto look = [&](const std::string& text) {
        if (text.find("${output.") == std::string::npos) return;
        std::vector<std::string> names;
        try {
            names = placeholders(text);
        } catch (const Error&) {
            return;  // substitute() reports it
        }
        for (const auto& name : names) {
            if (name.rfind("output.", 0) != 0) continue;
            (name.find('.', 7) == std::string::npos ? wants_outputs : wants_cdk_outputs) = true;
            if (name.find('.', 7) == std::string::npos) wanted.push_back(name.substr(7));
        }
    };
    auto scan = [&](const CommandSpec& spec) {
        for (const auto& arg : spec.argv) look(arg);
        for (const auto& [k, v] : spec.env) look(v);
        look(spec.cwd.string());
    };
    scan(stage.command);
    for (const auto& check : stage.checks) scan(check.command);
    for (const auto& step : stage.rollback) scan(step);
    if (wants_cdk_outputs) add_cdk_outputs(vars);
    if (!wants_outputs || rollout_.roots.empty()) return vars;

    const Target target = !is_terraform(stage) && stage.root.empty() && rollout_.roots.size() != 1
                              ? Target{}
                              : target_of(stage);
    if (target.working_dir.empty()) return vars;
    json outputs;
    {
        std::lock_guard lock(outputs_mutex_);
        auto it = outputs_.find(target.key());
        if (it == outputs_.end()) {
            process::CancelToken unused;
            prepare(target);
            it = outputs_.emplace(target.key(), terraform::Engine(engine_options(target, nullptr)).outputs()).first;
        }
        outputs = it->second;
    }
    for (const auto& [name, output] : outputs.items()) {
        if (!output.is_object() || !output.contains("value")) continue;
        const json& value = output["value"];
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        vars["output." + name] = text;
        if (output.value("sensitive", false)) redact_.add(text);
    }
    explain_missing_outputs(vars, wanted, target.working_dir, target.workspace, outputs);  // why, instead of "unknown"
    return vars;
}

process::Result Execution::run_command(const CommandSpec& spec, const Variables& vars, process::CancelToken& cancel) {
    process::Command command;
    for (const auto& arg : spec.argv) command.argv.push_back(substitute(arg, vars));
    for (const auto& [name, value] : spec.env) command.env[name] = substitute(value, vars);
    fs::path cwd = spec.cwd.empty() ? rollout_.base_dir : fs::path(substitute(spec.cwd.string(), vars));
    command.cwd = cwd.is_absolute() ? cwd : rollout_.base_dir / cwd;
    // A relative program path is relative to the rollout file, like every other path in it.
    if (!command.argv.empty() && command.argv[0].find('/') != std::string::npos && command.argv[0][0] != '/')
        command.argv[0] = (rollout_.base_dir / command.argv[0]).lexically_normal().string();
    command.timeout = spec.timeout;
    command.grace = options_.grace;
    command.cancel = std::shared_ptr<process::CancelToken>(std::shared_ptr<void>(), &cancel);
    return process::run(command);
}

bool Execution::needs_approval(const Stage& stage, const plan::Summary& summary) const {
    const ApprovalRule rule = stage.approval.value_or(environment_->approval);
    switch (rule) {
        case ApprovalRule::auto_approve: return false;
        case ApprovalRule::manual: return true;
        case ApprovalRule::manual_when_deleting:
            return summary.overall.delete_ > 0 || summary.overall.replace > 0;
    }
    return true;
}

// --- stage execution -----------------------------------------------------------------------

std::string Execution::execute(const Stage& stage, process::CancelToken& cancel) {
    // Outside the journal's lock: it may run the engine (`version -json`), which must never
    // wait while holding the journal.
    const json inputs = stage_inputs(stage);
    journal_.update_stage(stage.name, [&](json& s) {
        archive_attempt(s);  // what an earlier attempt did stays in the record
        s["status"] = stage_status::running;
        s["kind"] = kind_name(stage.kind);
        s["started_at"] = now_iso8601();
        s["inputs"] = inputs;
        if (stage.expected) s["expected_ms"] = stage.expected->count();
    });
    emit("stage_started", stage.name, {{"kind", describe_stage(stage)}});
    const auto started = Clock::now();
    if (options_.plan_only && stage.kind == StageKind::command) {
        journal_.update_stage(stage.name, [](json& s) { s["status"] = stage_status::skipped; });
        emit("stage_finished", stage.name, {{"status", stage_status::skipped}});
        return stage_status::skipped;  // `plan` changes nothing: commands may
    }
    std::string status;
    try {
        try {
            status = stage.kind == StageKind::command ? execute_command_stage(stage, cancel)
                     : stage.kind == StageKind::cdk   ? execute_cdk(stage, cancel)
                                                      : execute_terraform(stage, cancel);
        } catch (const Error&) {
            throw;
        } catch (const std::exception& e) {
            // A file system or JSON failure of our own: journaled like any other stage error.
            throw Error(ErrorCode::generic, std::string("stage '") + stage.name + "': " + e.what());
        }
    } catch (const Error& e) {
        const std::string message = redact_(e.what());
        journal_.update_stage(stage.name, [&](json& s) {
            json error = error_json(e);
            error["message"] = message;
            s["error"] = error;
        });
        emit("stage_error", stage.name, {{"code", to_string(e.code())}, {"message", message}});
        if (cancel.cancelled()) {
            const bool late = scheduler_ != nullptr && (scheduler_->rollout_deadline_hit() ||
                                                        scheduler_->stage_deadline_hit(stage.name));
            status = late ? stage_status::deadline_exceeded : stage_status::interrupted;
        } else {
            status = stage.on_failure == OnFailure::rollback ? run_rollback(stage, cancel) : stage_status::failed;
        }
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    journal_.update_stage(stage.name, [&](json& s) {
        s["status"] = status;
        s["finished_at"] = now_iso8601();
        s["duration_ms"] = elapsed.count();
    });
    emit("stage_finished", stage.name, {{"status", status}, {"duration_ms", elapsed.count()}});
    return status;
}

// On resume: a stage that stopped at its gate and is approved now applies the plan that was
// shown, not a new one. When the state has moved on, Terraform refuses the plan as stale; the
// stage is planned again and that new plan needs a new approval.
std::optional<std::string> Execution::apply_approved_saved_plan(const Stage& stage, process::CancelToken& cancel) {
    const auto before = previous_.find(stage.name);
    if (before == previous_.end() || before->second.value("status", "") != stage_status::awaiting_approval) return std::nullopt;
    const auto bound = options_.approved_plans.find(stage.name);
    if (bound == options_.approved_plans.end() && !options_.auto_approve) return std::nullopt;
    const json& plan = before->second.value("plan", json::object());
    const fs::path plan_file = plan.value("file", "");
    const std::string sha256 = plan.value("sha256", "");
    std::string why_not;
    if (plan_file.empty() || !fs::exists(plan_file)) why_not = "its saved plan file is gone";
    else if (before->second.value("inputs", json()) != stage_inputs(stage)) why_not = "the stage's inputs changed since it was planned";
    else if (bound != options_.approved_plans.end() && bound->second != sha256) why_not = "it is not the plan approved";
    if (!why_not.empty()) {
        if (bound == options_.approved_plans.end()) return std::nullopt;  // --auto-approve: the new plan is approved by it too
        // A person approved that plan, not the one a new plan will be: it waits at its gate.
        journal_.update_stage(stage.name, [&](json& s) {
            s["approval_void"] = {{"plan_sha256", sha256}, {"at", now_iso8601()}, {"reason", why_not}};
        });
        emit("approval_void", stage.name, {{"plan_sha256", sha256}, {"reason", why_not}});
        return execute_terraform(stage, cancel, /*approval_void=*/true);
    }
    const std::string how = bound != options_.approved_plans.end() ? "resume" : "auto_approve";
    journal_.update_stage(stage.name, [&](json& s) {
        s["plan"] = plan;
        s["approval"] = {{"by", options_.approver}, {"at", now_iso8601()}, {"how", how}, {"plan_sha256", sha256}};
    });
    emit("stage_approved", stage.name, {{"plan_sha256", sha256}});
    terraform::Engine engine = engine_for(stage, cancel);
    try {
        return apply_saved_plan(stage, engine, plan_file, sha256, cancel);
    } catch (const Error& e) {
        if (e.code() != ErrorCode::plan_stale) throw;
        journal_.update_stage(stage.name, [&](json& s) {
            s["stale_plan"] = {{"sha256", sha256}, {"refused_at", now_iso8601()}, {"message", e.what()}};
            s.erase("approval");
        });
        emit("plan_stale", stage.name, {{"plan_sha256", sha256}});
        return execute_terraform(stage, cancel, /*approval_void=*/true);
    }
}

std::string Execution::execute_terraform(const Stage& stage, process::CancelToken& cancel, bool approval_void) {
    if (!approval_void) {
        if (auto status = apply_approved_saved_plan(stage, cancel)) return *status;
    }
    terraform::Engine engine = engine_for(stage, cancel);
    const fs::path plan_file = journal_.run_dir() / "plans" / (stage.name + ".tfplan");

    terraform::PlanOptions plan_options;
    for (const auto& [name, value] : stage_vars(stage)) plan_options.vars.push_back({name, value});
    plan_options.var_files = environment_->var_files;
    plan_options.targets = stage.targets;
    plan_options.excludes = stage.excludes;
    plan_options.destroy = stage.kind == StageKind::destroy;
    plan_options.out = plan_file;
    emit("stage_planning", stage.name);
    const auto planned = engine.plan(plan_options);
    fs::permissions(plan_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);

    // The model from show -json, streamed to a file and summarised without a DOM.
    const fs::path shown = journal_.run_dir() / "plans" / (stage.name + ".plan.json");
    engine.show_json(plan_file, shown);
    const plan::Summary summary = plan::summarise_file(shown);
    fs::remove(shown);  // it holds values in clear text; the saved plan is the record

    const Target target = target_of(stage);
    plan::ProvenanceInput provenance_input{plan_file,
                                           {terraform::to_string(engine.info().flavour), engine.info().version.str(),
                                            engine.info().binary},
                                           target.working_dir,
                                           target.workspace,
                                           stage.targets,
                                           stage.excludes,
                                           environment_->var_files};
    plan::Provenance provenance = plan::make_provenance(provenance_input);
    provenance.git = plan_git(target);
    plan::write_provenance(provenance, plan::provenance_path(plan_file));

    journal_.update_stage(stage.name, [&](json& s) {
        s["plan"] = {{"file", plan_file.string()},
                     {"sha256", provenance.plan_sha256},
                     {"changes_present", planned.changes_present},
                     {"summary", counts_json(summary.overall)},
                     {"git_commit", provenance.git.is_object() ? provenance.git.value("commit", "") : ""}};
        s["engine_launches"] = engine.launches();
    });
    emit("stage_planned", stage.name,
         {{"summary", counts_json(summary.overall)}, {"plan_file", plan_file.string()}, {"sha256", provenance.plan_sha256}});

    if (!planned.changes_present) {
        // An earlier attempt applied but its checks never passed (they failed, or the run died
        // before they finished): nothing to apply now, but the stage is finished only when they pass.
        if (!options_.plan_only && journal_.stage(stage.name).value("checks_pending", false)) {
            emit("checks_pending", stage.name, {{"reason", "the checks of an earlier attempt have not passed"}});
            return after_apply(stage, cancel);
        }
        return stage_status::no_changes;
    }

    // Policies: before any gate, before any apply.
    // An approval given for a plan that went stale does not carry over to the new plan.
    const bool approved_in_advance = !approval_void && approved_ahead(stage);
    if (environment_->policies) {
        const auto violations = plan::evaluate(*environment_->policies, summary, {approved_in_advance});
        if (!violations.empty()) {
            journal_.update_stage(stage.name, [&](json& s) { s["policy_violations"] = plan::to_json(violations); });
            emit("policy_violation", stage.name, {{"violations", plan::to_json(violations)}});
            // A delete that only needs approval goes to the gate; any other rule refuses.
            const bool only_approval = std::all_of(violations.begin(), violations.end(),
                                                   [](const plan::Violation& v) { return v.rule == "approval_required"; });
            if (!only_approval) return stage_status::policy_violation;
        }
    }
    if (options_.plan_only) return stage_status::succeeded;

    std::string how;
    if (!needs_approval(stage, summary) && !(environment_->policies && environment_->policies->require_approval_for_delete &&
                                              summary.overall.delete_ + summary.overall.replace > 0)) {
        how = "rule";
    } else if (approved_in_advance) {
        how = options_.auto_approve ? "auto_approve" : "approve_flag";
    } else if (options_.ask && !approval_void) {
        GateRequest request{journal_.run_id(), stage.name, plan::render_text(summary), plan_file.string(),
                            provenance.plan_sha256, summary.overall.delete_ + summary.overall.replace > 0};
        emit("gate", stage.name, {{"plan_sha256", provenance.plan_sha256}});
        std::unique_lock ask_lock(ask_mutex_);  // one question at a time on the terminal
        const bool yes = options_.ask(request);
        ask_lock.unlock();
        if (!yes) {
            record_rejection(stage, provenance.plan_sha256);
            emit("awaiting_approval", stage.name, {{"plan_file", plan_file.string()}, {"sha256", provenance.plan_sha256}});
            return stage_status::awaiting_approval;
        }
        how = "prompt";
    } else {
        emit("awaiting_approval", stage.name, {{"plan_file", plan_file.string()}, {"sha256", provenance.plan_sha256}});
        return stage_status::awaiting_approval;
    }
    journal_.update_stage(stage.name, [&](json& s) {
        s["approval"] = {{"by", how == "rule" ? "rule" : options_.approver},
                         {"at", now_iso8601()},
                         {"how", how},
                         {"plan_sha256", provenance.plan_sha256}};
    });
    return apply_saved_plan(stage, engine, plan_file, provenance.plan_sha256, cancel);
}

std::string Execution::apply_saved_plan(const Stage& stage, terraform::Engine& engine, const fs::path& plan_file,
                                        const std::string& plan_sha256, process::CancelToken& cancel) {
    // Apply exactly the reviewed plan: its bytes must still be the ones approved.
    const std::string actual = plan::sha256_file(plan_file);
    if (actual != plan_sha256)
        throw Error(ErrorCode::plan_stale, "the plan file " + plan_file.string() + " changed after it was approved (sha256 " +
                                               actual + ", approved " + plan_sha256 + "); plan the stage again");
    mark_checks_pending(stage);
    emit("stage_applying", stage.name);
    const auto launches_before = engine.launches();
    const auto applied = engine.apply({.plan_file = plan_file});
    {
        std::lock_guard lock(outputs_mutex_);
        outputs_.erase(target_of(stage).key());
    }
    journal_.update_stage(stage.name, [&](json& s) {
        s["engine_launches"] = s.value("engine_launches", 0) + (engine.launches() - launches_before);
        if (applied.summary)
            s["applied"] = {{"add", applied.summary->add},
                            {"change", applied.summary->change},
                            {"remove", applied.summary->remove},
                            {"import", applied.summary->import}};
    });
    return after_apply(stage, cancel);
}

void Execution::mark_checks_pending(const Stage& stage) {
    if (!stage.checks.empty()) journal_.update_stage(stage.name, [](json& s) { s["checks_pending"] = true; });
}

void Execution::record_rejection(const Stage& stage, const std::string& sha256) {
    const json rejected{{"by", options_.approver}, {"at", now_iso8601()}, {"plan_sha256", sha256}};
    journal_.update_stage(stage.name, [&](json& s) { s["rejected"] = rejected; });
    emit("approval_rejected", stage.name, rejected);
}

bool Execution::approved_ahead(const Stage& stage) const {
    // --auto-approve is the run's own rule; --approve STAGE ahead of the plan only in a rollback.
    return options_.auto_approve || (options_.kind == "rollback" && options_.approve.count(stage.name) > 0);
}

std::string Execution::after_apply(const Stage& stage, process::CancelToken& cancel, const std::string& item) {
    if (run_checks(stage, cancel, item)) {
        journal_.update_stage(stage.name, [](json& s) { s.erase("checks_pending"); });
        return stage_status::succeeded;
    }
    if (cancel.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted during its checks");
    journal_.update_stage(stage.name, [&](json& s) {
        s["error"] = {{"code", "check_failed"}, {"message", "a check of stage '" + stage.name + "' failed"}};
    });
    return stage.on_failure == OnFailure::rollback ? run_rollback(stage, cancel) : stage_status::failed;
}

std::string Execution::execute_command_stage(const Stage& stage, process::CancelToken& cancel) {
    std::vector<std::string> items = stage.for_each;
    if (items.empty()) items.emplace_back();  // one run, no ${item}
    json results = json::array();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0 && stage.wait.count() > 0) {
            const auto until = Clock::now() + stage.wait;
            while (Clock::now() < until && !cancel.cancelled()) std::this_thread::sleep_for(50ms);
        }
        if (cancel.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted");
        const auto vars = variables_for(stage, items[i]);
        if (i == 0) mark_checks_pending(stage);
        emit("command_started", stage.name, {{"item", items[i]}});
        const auto result = run_command(stage.command, vars, cancel);
        results.push_back({{"item", items[i]}, {"exit_code", result.exit_code},
                           {"output", redact_(tail(result.out + result.err))}});
        journal_.update_stage(stage.name, [&](json& s) { s["commands"] = results; });
        emit("command_finished", stage.name, {{"item", items[i]}, {"exit_code", result.exit_code}});
        if (result.cancelled || result.timed_out) {
            if (result.cancelled) throw Error(ErrorCode::cancelled, "stage '" + stage.name + "' was interrupted");
            throw Error(ErrorCode::timeout, "the command of stage '" + stage.name + "' timed out");
        }
        if (result.exit_code != 0)
            throw Error(ErrorCode::generic, "the command of stage '" + stage.name + "'" +
                                                (items[i].empty() ? "" : " (item " + items[i] + ")") + " exited with " +
                                                std::to_string(result.exit_code) + ": " +
                                                redact_(tail(result.err.empty() ? result.out : result.err, 300)));
    }
    return after_apply(stage, cancel, items.back());
}

void Execution::add_cdk_outputs(Variables& vars) {
    const fs::path dir = journal_.run_dir() / "cdk";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename().string().ends_with(".outputs.json")) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const json outputs = cdk::read_outputs_file(file);
        for (const auto& [stack, keys] : outputs.items()) {
            if (!keys.is_object()) continue;
            for (const auto& [key, value] : keys.items())
                vars["output." + stack + "." + key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
    }
}

// A cdk stage: synth (when asked), the stacks in the assembly's dependency order (independent
// ones together, with the stage's concurrency), the gate with `cdk diff` as its preview, then
// the checks. Each phase's time and each stack's span go to the journal.
std::string Execution::execute_cdk(const Stage& stage, process::CancelToken& cancel) {
    const CdkStage& c = stage.cdk;
    const std::string name = stage.name;
    json timings = json::object();
    auto record_timing = [&](const std::string& phase, Clock::time_point since) {
        timings[phase + "_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
        journal_.update_stage(name, [&](json& s) { s["timings"] = timings; });
    };

    const Variables base_vars = variables_for(stage, "");
    cdk::CliOptions o;
    o.working_dir = c.dir;
    o.binary = c.cli;
    for (const auto& [key, value] : c.env) o.env[key] = substitute(value, base_vars);
    o.grace = options_.grace;
    o.cancel = std::shared_ptr<process::CancelToken>(std::shared_ptr<void>(), &cancel);
    // The CLI's whole output, kept per stage next to the journal (redacted, mode 0600).
    fs::create_directories(journal_.run_dir() / "cdk");
    const fs::path log_file = journal_.run_dir() / "cdk" / (name + ".log");
    auto log = std::make_shared<std::ofstream>(log_file, std::ios::app);
    fs::permissions(log_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    o.on_output = [this, log](process::Stream, std::string_view line) { *log << redact_(std::string(line)) << '\n' << std::flush; };
    o.on_event = [this, name](const cdk::StackEvent& e) {
        json data{{"stack", e.stack}, {"event", cdk::to_string(e.kind)}};
        if (e.kind == cdk::StackEvent::Kind::resource) {
            data["resource_status"] = e.resource_status;
            data["resource_type"] = e.resource_type;
        }
        if (!e.message.empty()) data["message"] = redact_(e.message);
        emit("cdk_stack", name, std::move(data));
    };
    cdk::Cli cli(o);
    journal_.update_stage(name, [&](json& s) {
        s["cdk"] = {{"cli", cli.binary().string()}, {"dir", c.dir.string()}, {"log", log_file.string()}};
    });

    std::string app = c.app;
    if (!c.synth.empty()) {
        emit("cdk_synth", name, {{"output", c.synth.string()}});
        const auto started = Clock::now();
        cdk::SynthOptions synth;
        synth.app = c.app;
        synth.context = c.context;
        synth.output = c.synth;
        cli.synth(synth);
        record_timing("synth", started);
        app = c.synth.string();
    }
    std::vector<std::vector<std::string>> waves;
    const bool destroying = !c.destroy.empty();
    const auto& wanted = destroying ? c.destroy : c.deploy;
    const fs::path assembly_dir = c.assembly_dir();
    if (!wanted.empty()) {
        if (!assembly_dir.empty()) {
            const auto assembly = cdk::read_assembly(assembly_dir);
            for (const auto& wave : destroying ? cdk::destroy_waves(assembly, wanted) : cdk::deploy_waves(assembly, wanted)) {
                std::vector<std::string> names;
                for (const auto* stack : wave) names.push_back(stack->display_name);
                waves.push_back(std::move(names));
            }
        } else {
            waves.push_back(wanted);  // an app command: the CLI orders them (--exclusively is not used then)
        }
        journal_.update_stage(name, [&](json& s) { s["cdk"]["waves"] = waves; });
    }
    if (wanted.empty()) return options_.plan_only ? stage_status::succeeded : after_apply(stage, cancel);

    // The gate: `cdk diff` is the preview people see. A destroy deletes by definition.
    const ApprovalRule rule = stage.approval.value_or(environment_->approval);
    const bool approved_in_advance = approved_ahead(stage);
    bool gate = !destroying && rule == ApprovalRule::manual;
    if (destroying) gate = rule != ApprovalRule::auto_approve;
    std::string preview;
    bool deletes = destroying;
    if (!destroying && (rule != ApprovalRule::auto_approve || options_.plan_only)) {
        const auto started = Clock::now();
        cdk::DiffOptions diff;
        diff.app = app;
        diff.context = c.context;
        diff.stacks = wanted;
        diff.exclusively = !assembly_dir.empty();
        const auto result = cli.diff(diff);
        record_timing("diff", started);
        preview = redact_(result.text);
        deletes = result.removals > 0;
        if (rule == ApprovalRule::manual_when_deleting) gate = deletes;
        fs::create_directories(journal_.run_dir() / "cdk");
        const fs::path diff_file = journal_.run_dir() / "cdk" / (name + ".diff.txt");
        write_file_atomically(diff_file, preview, 0600);
        journal_.update_stage(name, [&](json& s) {
            s["diff"] = {{"file", diff_file.string()},
                         {"stacks_with_differences", result.stacks_with_differences},
                         {"removals", result.removals}};
        });
        emit("stage_planned", name, {{"stacks_with_differences", result.stacks_with_differences}, {"removals", result.removals}});
    } else if (destroying) {
        preview = "cdk destroy (deletes these stacks and every resource in them):\n";
        for (const auto& stack : wanted) preview += "  - " + stack + "\n";
    }
    if (options_.plan_only) return stage_status::succeeded;

    const fs::path diff_file = journal_.run_dir() / "cdk" / (name + ".diff.txt");
    if (destroying) {
        fs::create_directories(diff_file.parent_path());
        write_file_atomically(diff_file, preview, 0600);
    }
    // What the gate shows has a hash, as a Terraform plan has: an approval names it.
    const std::string preview_sha256 = sha256_hex(preview);
    journal_.update_stage(name, [&](json& s) {
        s["diff"]["file"] = diff_file.string();
        s["diff"]["sha256"] = preview_sha256;
    });
    const json waiting{{"diff_file", diff_file.string()}, {"sha256", preview_sha256}};
    std::string how = "rule";
    if (gate) {
        const auto bound = options_.approved_plans.find(name);
        if (bound != options_.approved_plans.end() && bound->second != preview_sha256) {
            const std::string why = "the cdk diff changed since it was approved";
            journal_.update_stage(name, [&](json& s) {
                s["approval_void"] = {{"plan_sha256", bound->second}, {"at", now_iso8601()}, {"reason", why}};
            });
            emit("approval_void", name, {{"plan_sha256", bound->second}, {"reason", why}});
        }
        if (approved_in_advance) {
            how = options_.auto_approve ? "auto_approve" : "approve_flag";
        } else if (bound != options_.approved_plans.end() && bound->second == preview_sha256) {
            how = "resume";
            emit("stage_approved", name, {{"plan_sha256", preview_sha256}});
        } else if (options_.ask) {
            GateRequest request{journal_.run_id(), name, preview, diff_file.string(), preview_sha256, deletes};
            emit("gate", name, {{"plan_sha256", preview_sha256}});
            std::unique_lock ask_lock(ask_mutex_);
            const bool yes = options_.ask(request);
            ask_lock.unlock();
            if (!yes) {
                record_rejection(stage, preview_sha256);
                emit("awaiting_approval", name, waiting);
                return stage_status::awaiting_approval;
            }
            how = "prompt";
        } else {
            emit("awaiting_approval", name, waiting);
            return stage_status::awaiting_approval;
        }
    }
    journal_.update_stage(name, [&](json& s) {
        s["approval"] = {{"by", how == "rule" ? "rule" : options_.approver},
                         {"at", now_iso8601()},
                         {"how", how},
                         {"plan_sha256", preview_sha256}};
    });
    mark_checks_pending(stage);

    // The stacks, wave after wave; each wave in one CLI call with the stage's concurrency.
    emit("stage_applying", name);
    const auto started = Clock::now();
    fs::create_directories(journal_.run_dir() / "cdk");
    json stacks = json::array();
    json outputs = json::object();
    auto journal_stacks = [&](const std::vector<cdk::StackResult>& results) {
        for (const auto& r : results) stacks.push_back(stack_json(r, destroying ? "destroy" : "deploy"));
        journal_.update_stage(name, [&](json& s) { s["stacks"] = stacks; });
    };
    for (std::size_t i = 0; i < waves.size(); ++i) {
        if (cancel.cancelled()) throw Error(ErrorCode::cancelled, "stage '" + name + "' was interrupted");
        try {
            if (destroying) {
                cdk::DestroyOptions destroy;
                destroy.app = app;
                destroy.context = c.context;
                destroy.stacks = waves[i];
                destroy.exclusively = !assembly_dir.empty();
                journal_stacks(cli.destroy(destroy));
            } else {
                cdk::DeployOptions deploy;
                deploy.app = app;
                deploy.context = c.context;
                deploy.stacks = waves[i];
                deploy.concurrency = c.concurrency;
                deploy.exclusively = !assembly_dir.empty();
                deploy.method = c.method;
                deploy.rollback = c.rollback;
                // Outputs may be secret-looking but are no secrets to CloudFormation either;
                // still, the file is the run's own (0600), and the journal keeps their names only.
                deploy.outputs_file = journal_.run_dir() / "cdk" / (name + ".wave" + std::to_string(i + 1) + ".outputs.json");
                const auto result = cli.deploy(deploy);
                std::error_code ec;
                fs::permissions(deploy.outputs_file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
                for (const auto& [stack, keys] : result.outputs.items()) {
                    json key_names = json::array();
                    for (const auto& [key, value] : keys.items()) key_names.push_back(key);
                    outputs[stack] = key_names;
                }
                journal_stacks(result.stacks);
                journal_.update_stage(name, [&](json& s) { s["outputs"] = outputs; });
            }
        } catch (const cdk::CdkError& e) {
            journal_stacks(e.stacks());
            journal_.update_stage(name, [&](json& s) { s["failed_stacks"] = e.failed_stacks(); });
            record_timing(destroying ? "destroy" : "deploy", started);
            throw;
        }
    }
    record_timing(destroying ? "destroy" : "deploy", started);
    if (!destroying) journal_.update_stage(name, [&](json& s) { s["templates"] = template_hashes(c); });
    const auto checks_started = Clock::now();
    const std::string status = after_apply(stage, cancel);
    if (!stage.checks.empty()) record_timing("checks", checks_started);
    return status;
}

bool Execution::run_checks(const Stage& stage, process::CancelToken& cancel, const std::string& item) {
    json results = json::array();
    bool all_passed = true;
    for (std::size_t i = 0; i < stage.checks.size() && all_passed; ++i) {
        const Check& check = stage.checks[i];
        const std::string name = check.name.empty() ? "check " + std::to_string(i + 1) : check.name;
        const auto vars = variables_for(stage, item);
        emit("check_started", stage.name, {{"check", name}});
        json attempts = json::array();
        bool passed = false;
        for (int attempt = 0; attempt <= check.retries && !passed && !cancel.cancelled(); ++attempt) {
            if (attempt > 0) {
                const auto until = Clock::now() + check.interval;
                while (Clock::now() < until && !cancel.cancelled()) std::this_thread::sleep_for(50ms);
            }
            const auto result = run_command(check.command, vars, cancel);
            passed = !result.timed_out && !result.cancelled && result.exit_code == check.expect_exit;
            attempts.push_back({{"exit_code", result.exit_code},
                                {"timed_out", result.timed_out},
                                {"duration_ms", result.duration.count()},
                                {"output", redact_(tail(result.out + result.err, 1000))}});
        }
        results.push_back({{"name", name}, {"passed", passed}, {"attempts", attempts}});
        journal_.update_stage(stage.name, [&](json& s) { s["checks"] = results; });
        emit("check_finished", stage.name, {{"check", name}, {"passed", passed}, {"attempts", attempts.size()}});
        all_passed = passed;
    }
    return all_passed;
}

std::string Execution::run_rollback(const Stage& stage, process::CancelToken& cancel) {
    emit("rollback_started", stage.name);
    // The rollback must run even when the stage itself was stopped by its deadline: give it a
    // fresh token that only a user's interrupt cancels.
    process::CancelToken rollback_cancel;
    (void)cancel;
    bool ok = true;
    json steps = json::array();
    const auto vars = variables_for(stage, stage.for_each.empty() ? "" : stage.for_each.back());
    for (const auto& step : stage.rollback) {
        if (options_.cancel->cancelled()) rollback_cancel.cancel();
        const auto result = run_command(step, vars, rollback_cancel);
        steps.push_back({{"argv", step.argv}, {"exit_code", result.exit_code},
                         {"output", redact_(tail(result.out + result.err, 1000))}});
        if (result.exit_code != 0) {
            ok = false;
            break;
        }
    }
    journal_.update_stage(stage.name, [&](json& s) { s["rollback"] = steps; });
    const std::string status = ok ? stage_status::rolled_back : stage_status::rollback_failed;
    emit("rollback_finished", stage.name, {{"status", status}});
    return status;
}

// --- git ---------------------------------------------------------------------------------

void Execution::record_git() {
    std::optional<git::Provenance> provenance;
    json record = nullptr;
    GuardResult guards;
    if (options_.git) {
        record = *options_.git;
    } else {
        provenance = rollout_provenance(rollout_, *environment_);
        if (provenance) record = git::to_json(*provenance);
        guards = evaluate_guards(environment_->git, provenance,
                                 {options_.allow_dirty, options_.allow_branch, options_.allow_behind});
        // `tfstage plan` changes nothing: a guard only warns there.
        if (options_.plan_only) {
            for (const auto& refusal : guards.refusals)
                guards.warnings.push_back({{"guard", refusal.substr(0, refusal.find(':'))}, {"override", "plan"}, {"message", refusal}});
            guards.refusals.clear();
        }
    }
    journal_.update([&](json& doc) {
        // A resumed run keeps the provenance it started with; the resume records its own.
        if (doc.contains("git") && doc.contains("resumed") && doc["resumed"].is_array() && !doc["resumed"].empty())
            doc["resumed"].back()["git"] = record;
        else
            doc["git"] = record;
        for (const auto& warning : guards.warnings) doc["warnings"].push_back(warning);
    });
    for (const auto& warning : guards.warnings) emit("warning", "", warning);
    if (!guards.refusals.empty()) {
        std::string message = "the git guards of environment '" + environment_->name + "' refuse this run:";
        for (const auto& refusal : guards.refusals) message += "\n  " + refusal;
        throw Error(ErrorCode::policy_violation, message);
    }
}

json Execution::plan_git(const Target& target) const {
    if (options_.git) return *options_.git;
    std::vector<fs::path> extras(environment_->var_files.begin(), environment_->var_files.end());
    if (auto provenance = git::provenance_of(target.working_dir, extras)) return git::to_json(*provenance);
    return nullptr;
}

// --- the run -----------------------------------------------------------------------------

void Execution::select_stages(const json& previous_stages) {
    const StageGraph graph(rollout_.stages);
    order_ = graph.order();
    for (const auto& name : order_) needs_[name] = graph.needs_of(name);

    std::set<std::string> selected(order_.begin(), order_.end());
    if (!options_.only.empty()) selected = std::set<std::string>(options_.only.begin(), options_.only.end());
    if (!options_.from.empty()) {
        const auto from = std::find(order_.begin(), order_.end(), options_.from);
        selected = std::set<std::string>(from, order_.end());
    }
    if (!options_.changed_since.empty()) {
        const ChangeSelection changes = select_changed_stages(rollout_, *environment_, options_.changed_since);
        std::set<std::string> both;
        for (const auto& name : changes.selected())
            if (selected.count(name)) both.insert(name);
        selected = both;
        journal_.update([&](json& doc) { doc["selection"] = changes.to_json(); });
        emit("selection", "", changes.to_json());
    }
    for (const auto& s : previous_stages) previous_[s.value("name", "")] = upgraded_record(s);
    const auto& previous = previous_;

    for (const auto& name : order_) {
        const Stage& stage = *rollout_.find_stage(name);
        if (!selected.count(name)) {
            state_[name] = stage_status::skipped;
            journal_.update_stage(name, [](json& s) { s["status"] = stage_status::skipped; });
            continue;
        }
        const auto before = previous.find(name);
        // A synth changes nothing outside its directory, and the assembly must match the app as
        // it is now (it may have been fixed since): synth-only stages always run again.
        const bool always_again = stage.kind == StageKind::cdk && stage.cdk.synth_only();
        if (before != previous.end() && !always_again && is_done(before->second.value("status", "")) &&
            before->second.value("inputs", json()) == stage_inputs(stage)) {
            if (stage.kind == StageKind::cdk && before->second.value("templates", json()).is_object()) {
                reuse_if_unchanged_.insert(name);  // once its synth has run again
                state_[name] = stage_status::pending;
                continue;
            }
            state_[name] = before->second["status"].get<std::string>();  // finished earlier: never again
            emit("stage_reused", name, {{"status", state_[name]}});
            continue;
        }
        state_[name] = stage_status::pending;
    }
}

std::optional<std::string> Execution::reuse_when_ready(const Stage& stage) {
    if (reuse_if_unchanged_.erase(stage.name) == 0) return std::nullopt;
    const json& before = previous_[stage.name];
    if (template_hashes(stage.cdk) == before["templates"]) {
        const std::string status = before["status"].get<std::string>();
        emit("stage_reused", stage.name, {{"status", status}});
        return status;
    }
    emit("stage_changed", stage.name, {{"reason", "the templates of its stacks changed since they were deployed"}});
    return std::nullopt;
}

void Execution::schedule() {
    SchedulerOptions o;
    o.parallelism = options_.parallelism;
    o.cancel = options_.cancel;
    o.rollout_deadline = rollout_deadline_;
    Scheduler scheduler(rollout_.stages, order_, needs_, state_, o, *this);
    scheduler_ = &scheduler;
    scheduler.run();
    scheduler_ = nullptr;
    state_ = scheduler.statuses();
    deadline_hit_ = scheduler.rollout_deadline_hit();
}

std::string Execution::run_status() const {
    if (options_.cancel->cancelled() && !deadline_hit_) return run_status::interrupted;
    std::set<std::string> seen;
    for (const auto& [name, status] : state_) seen.insert(status);
    if (deadline_hit_ || seen.count(stage_status::deadline_exceeded)) return run_status::deadline_exceeded;
    if (seen.count(stage_status::interrupted)) return run_status::interrupted;
    if (seen.count(stage_status::rollback_failed)) return run_status::rollback_failed;
    if (seen.count(stage_status::rolled_back)) return run_status::rolled_back;
    if (seen.count(stage_status::failed)) return run_status::failed;
    if (seen.count(stage_status::policy_violation)) return run_status::policy_violation;
    if (seen.count(stage_status::awaiting_approval)) return run_status::awaiting_approval;
    if (seen.count(stage_status::pending) || seen.count(stage_status::running)) return run_status::failed;
    return run_status::succeeded;
}

// An untargeted plan of each root: anything left to change means the stages did not cover
// the whole configuration (or someone changed the infrastructure meanwhile).
void Execution::converge() {
    std::map<std::string, const Stage*> roots;  // one stage per target stands for its root
    for (const auto& stage : rollout_.stages)
        if (is_terraform(stage)) roots.emplace(target_of(stage).key(), &stage);
    json result = json::array();
    bool converged = true;
    for (const auto& [key, stage] : roots) {
        process::CancelToken cancel;
        if (options_.cancel->cancelled()) break;
        terraform::Engine engine = engine_for(*stage, cancel);
        // The configuration as the rollout leaves it: the environment's vars, then each stage's
        // of this root in order (a scaling stage's -var is the desired end state).
        std::map<std::string, std::string> vars = environment_->vars;
        for (const auto& other : rollout_.stages)
            if (is_terraform(other) && target_of(other).key() == key)
                for (const auto& [name, value] : other.vars) vars[name] = value;
        terraform::PlanOptions plan_options;
        for (const auto& [name, value] : vars) plan_options.vars.push_back({name, value});
        plan_options.var_files = environment_->var_files;
        const fs::path plan_file = journal_.run_dir() / "plans" / "converge.tfplan";
        plan_options.out = plan_file;
        const auto planned = engine.plan(plan_options);
        json addresses = json::array();
        if (planned.changes_present) {
            converged = false;
            const fs::path shown = journal_.run_dir() / "plans" / "converge.plan.json";
            engine.show_json(plan_file, shown);
            for (const auto& change : plan::summarise_file(shown).changes)
                if (change.kind != plan::ChangeKind::no_op && change.kind != plan::ChangeKind::read)
                    addresses.push_back(change.address);
            fs::remove(shown);
        }
        fs::remove(plan_file);
        result.push_back({{"root", target_of(*stage).working_dir.string()},
                          {"workspace", target_of(*stage).workspace},
                          {"changes_present", planned.changes_present},
                          {"addresses", addresses},
                          {"engine_launches", engine.launches()}});
    }
    journal_.update([&](json& doc) {
        doc["convergence"] = {{"status", converged ? "converged" : "unconverged"}, {"roots", result}};
    });
    emit("convergence", "", {{"status", converged ? "converged" : "unconverged"}, {"roots", result}});
}

RunResult Execution::run(const json& previous_stages) {
    // The rollout's time is what its runs and resumes took, not the hours a stopped run waited
    // for a fix or an approval: the deadline covers what is left of it, and the journal keeps
    // the sum (elapsed_ms) for the timing table.
    const auto began = Clock::now();
    const auto elapsed_before = std::chrono::milliseconds(journal_.snapshot().value("elapsed_ms", 0LL));
    if (environment_->deadline) rollout_deadline_ = began + *environment_->deadline - elapsed_before;
    auto record_elapsed = [&](json& doc) {
        doc["elapsed_ms"] = (elapsed_before + std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - began)).count();
    };
    // Refused before anything runs (the guards): the run ends here and its journal says so,
    // instead of staying "running" for ever (and being what `status` and `resume` pick as the
    // latest run). The locks were taken before the journal existed.
    auto refuse = [&](const Error& e) {
        locks_.clear();
        const std::string status = e.code() == ErrorCode::policy_violation ? run_status::policy_violation : run_status::failed;
        journal_.update([&](json& doc) {
            doc["status"] = status;
            doc["error"] = error_json(e);
            doc["finished_at"] = now_iso8601();
            record_elapsed(doc);
        });
        emit("rollout_finished", "", {{"status", status}, {"error", error_json(e)}});
    };
    try {
        record_git();
        select_stages(previous_stages);
    } catch (const Error& e) {
        refuse(e);
        throw;
    }

    if (previous_stages.empty()) warn_about_rejections();
    // Who runs it: readers tell a live run from one whose process died (rollout/liveness.hpp).
    journal_.update([&](json& doc) {
        doc["status"] = run_status::running;
        doc["pid"] = ::getpid();
        doc["host"] = host_name();
    });
    emit("run_started", "", {{"environment", environment_->name}, {"stages", order_}});

    schedule();
    std::string status = run_status();
    if (status == run_status::succeeded && !options_.plan_only && options_.converge && rollout_.converge) {
        try {
            converge();
            const bool converged = journal_.snapshot()["convergence"].value("status", "") == "converged";
            if (!converged && options_.unconverged == UnconvergedIs::failure) status = run_status::unconverged;
        } catch (const Error& e) {
            journal_.update([&](json& doc) { doc["convergence"] = {{"status", "error"}, {"error", error_json(e)}}; });
            status = options_.cancel->cancelled() ? run_status::interrupted : run_status::failed;
        }
    }
    // The locks go first: killed after this, the journal still says running (and a resume
    // finds every stage done); killed after the final write, no stale lock is left behind.
    locks_.clear();
    journal_.update([&](json& doc) {
        doc["status"] = status;
        doc["finished_at"] = now_iso8601();
        record_elapsed(doc);
        if (environment_->deadline)
            doc["deadline_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(*environment_->deadline).count();
    });
    emit("rollout_finished", "", {{"status", status}});
    return {journal_.run_id(), status, journal_.snapshot()};
}

void Execution::warn_about_rejections() {
    const json self = journal_.snapshot();
    // The latest earlier run of this file and environment: newest first, reading only as far
    // as it (a state directory may hold hundreds of runs).
    json previous;
    const auto ids = Journal::run_ids(options_.state_dir);
    for (auto id = ids.rbegin(); id != ids.rend() && !previous.is_object(); ++id) {
        if (*id == journal_.run_id()) continue;
        json run;
        try {
            run = Journal::open(options_.state_dir, *id).snapshot();
        } catch (const Error&) {
            continue;  // an unreadable journal says nothing about rejections
        }
        if (run.value("rollout_file", "") == self.value("rollout_file", "") &&
            run.value("environment", "") == self.value("environment", ""))
            previous = std::move(run);
    }
    if (!previous.is_object()) return;
    for (const auto& rejection : rejections_of(previous)) {
        const json warning{{"warning", "rejected_before"},
                           {"run", previous.value("run", "")},
                           {"stage", rejection.value("stage", "")},
                           {"message", rejection_warning(previous.value("run", ""), rejection)}};
        journal_.update([&](json& doc) { doc["warnings"].push_back(warning); });
        emit("warning", "", warning);
    }
}

json journal_header(const Rollout& rollout, const RunOptions& options, const std::string& kind) {
    json approve = json::array();
    for (const auto& a : options.approve) approve.push_back(a);
    return {{"kind", kind},
            {"rollout_file", rollout.file.string()},
            {"rollout_sha256", plan::sha256_file(rollout.file)},
            {"name", rollout.name},
            {"environment", options.environment},
            {"started_at", now_iso8601()},
            {"status", run_status::running},
            {"options",
             {{"auto_approve", options.auto_approve},
              {"approve", approve},
              {"only", options.only},
              {"from", options.from},
              {"parallelism", options.parallelism},
              {"plan_only", options.plan_only},
              {"converge", options.converge},
              {"unconverged", options.unconverged == UnconvergedIs::warning ? "warning" : "failure"},
              {"allow_dirty", options.allow_dirty},
              {"allow_branch", options.allow_branch},
              {"allow_behind", options.allow_behind},
              {"changed_since", options.changed_since}}}};
}

void check_stage_names(const Rollout& rollout, const RunOptions& options) {
    auto known = [&](const std::string& name) { return rollout.find_stage(name) != nullptr; };
    for (const auto& name : options.only)
        if (!known(name)) throw Error(ErrorCode::invalid_argument, "--only names no stage '" + name + "'");
    for (const auto& text : options.approve) {
        const std::string name = parse_approval(text).stage;
        if (!known(name)) throw Error(ErrorCode::invalid_argument, "--approve names no stage '" + name + "'");
    }
    if (!options.from.empty() && !known(options.from))
        throw Error(ErrorCode::invalid_argument, "--from names no stage '" + options.from + "'");
    if (rollout.find_environment(options.environment) == nullptr) {
        std::string names;
        for (const auto& e : rollout.environments) names += (names.empty() ? "" : ", ") + e.name;
        throw Error(ErrorCode::invalid_argument,
                    "no environment '" + options.environment + "' in " + rollout.file.string() + " (it has: " + names + ")");
    }
}

}  // namespace

json Event::to_json() const {
    json out = data.is_object() ? data : json::object();
    out["type"] = type;
    out["time"] = time;
    out["run"] = run;
    if (!stage.empty()) out["stage"] = stage;
    return out;
}

fs::path default_state_dir(const Rollout& rollout) { return rollout.base_dir / ".tfstage"; }

RunResult run_rollout(const Rollout& rollout, RunOptions options) {
    check_stage_names(rollout, options);
    if (!options.approve.empty() && options.kind != "rollback")
        throw Error(ErrorCode::invalid_argument,
                    "--approve " + *options.approve.begin() +
                        ": a new run has no plan anyone has seen yet, and an approval is for a plan you have seen. "
                        "Run without it: the stage stops at its gate and prints its plan's sha256; then "
                        "`tfstage resume RUN --approve STAGE=SHA256`. Stages that need no review say `approval: auto` "
                        "in the rollout file; --auto-approve approves every gate of the run");
    if (!options.changed_since.empty()) check_changed_since(rollout, options.changed_since);  // a bad REF: no run at all
    if (options.state_dir.empty()) options.state_dir = default_state_dir(rollout);
    json header = journal_header(rollout, options, !options.kind.empty() ? options.kind : options.plan_only ? "plan" : "run");
    for (const auto& [key, value] : options.journal_extra.items()) header[key] = value;
    const std::string run_id = Journal::new_run_id(options.state_dir);
    Locks locks = lock_roots(rollout, options.environment, run_id);  // refused: nothing written
    Journal journal = Journal::create(options.state_dir, header, run_id);
    Execution execution(rollout, options, std::move(journal), std::move(locks));
    return execution.run(json::array());
}

RunResult resume_rollout(const fs::path& state_dir, const std::string& run_id, RunOptions options) {
    Journal journal = Journal::open(state_dir, Journal::run_or_latest(state_dir, run_id));
    const json before = journal.snapshot();
    const std::string status = before.value("status", "");
    // Nothing below writes into a run that another process is still running.
    if (const Holder holder = holder_of(before);
        status == run_status::running && holder.on_this_host() && holder.pid != ::getpid() && process_alive(holder.pid))
        throw Error(ErrorCode::state_locked, "run " + journal.run_id() + " is still running (pid " +
                                                 std::to_string(holder.pid) + " on " + holder.host +
                                                 "); wait for it to stop, or interrupt it, then resume");
    if (status == run_status::succeeded)
        throw Error(ErrorCode::invalid_argument, "run " + journal.run_id() + " already succeeded; start a new run instead");
    if (before.value("kind", "") == "rollback")
        throw Error(ErrorCode::invalid_argument, "run " + journal.run_id() + " is a rollback; run `tfstage rollback " +
                                                     before.value("rollback_of", std::string("RUN")) +
                                                     "` again (with --approve STAGE or --auto-approve) instead of resuming it");
    const Rollout rollout = load_rollout_file(before.value("rollout_file", ""));
    options.environment = before.value("environment", "");
    options.state_dir = state_dir;
    const json& saved = before["options"];
    options.auto_approve = options.auto_approve || saved.value("auto_approve", false);
    if (options.only.empty() && saved.contains("only")) options.only = saved["only"].get<std::vector<std::string>>();
    if (options.from.empty()) options.from = saved.value("from", "");
    // The run goes on as it was started: a `tfstage plan` (or --dry-run) run stays plan-only
    // (its stages "succeeded" without applying anything, and must never count as applied), and
    // keeps its parallelism and convergence settings.
    options.plan_only = options.plan_only || saved.value("plan_only", false) || before.value("kind", "") == "plan";
    options.parallelism = saved.value("parallelism", options.parallelism);
    options.converge = saved.value("converge", options.converge);
    if (saved.value("unconverged", "") == "warning") options.unconverged = UnconvergedIs::warning;
    if (options.changed_since.empty()) options.changed_since = saved.value("changed_since", "");
    options.allow_dirty = options.allow_dirty || saved.value("allow_dirty", false);
    options.allow_branch = options.allow_branch || saved.value("allow_branch", false);
    options.allow_behind = options.allow_behind || saved.value("allow_behind", false);
    check_stage_names(rollout, options);
    options.approved_plans = bind_approvals(options.approve, before);  // refused: nothing written
    Locks locks = lock_roots(rollout, options.environment, journal.run_id());
    json approve = json::array();
    for (const auto& [stage, sha256] : options.approved_plans) approve.push_back({{"stage", stage}, {"plan_sha256", sha256}});
    journal.update([&](json& doc) {
        doc["resumed"].push_back({{"at", now_iso8601()}, {"approve", approve}});
        doc["status"] = run_status::running;
        doc.erase("finished_at");
    });
    Execution execution(rollout, options, std::move(journal), std::move(locks));
    return execution.run(before["stages"]);
}

}  // namespace tfstage::rollout
