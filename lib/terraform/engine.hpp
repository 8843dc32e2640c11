// The engine: Terraform or OpenTofu, driven through its command line. Every call runs the real
// binary non-interactively (TF_IN_AUTOMATION=1, TF_INPUT=0, -input=false, -no-color), streams
// the -json UI events where the command has them, and turns a failure into an EngineError that
// carries the tool's own diagnostics, the command line with secrets redacted, and the exit code.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "support/error.hpp"
#include "terraform/ui_stream.hpp"
#include "terraform/version.hpp"

namespace tfstage::terraform {

class VarFiles;  // terraform/var_file.hpp

// A failed engine command.
class EngineError : public Error {
public:
    EngineError(ErrorCode code, const std::string& message, std::vector<Diagnostic> diagnostics,
                std::vector<std::string> argv, int exit_code, std::map<std::string, std::string> lock_info,
                bool killed = false)
        : Error(code, message, std::move(diagnostics)),
          argv_(std::move(argv)),
          exit_code_(exit_code),
          lock_info_(std::move(lock_info)),
          killed_(killed) {}

    const std::vector<std::string>& argv() const noexcept { return argv_; }  // redacted
    int exit_code() const noexcept { return exit_code_; }
    // For a held state lock: ID, Path, Operation, Who, Version, Created, Info.
    const std::map<std::string, std::string>& lock_info() const noexcept { return lock_info_; }
    // The engine did not stop within the grace period after SIGINT and was sent SIGKILL: it
    // may have left its state lock behind, and lost track of what it was changing.
    bool killed() const noexcept { return killed_; }

private:
    std::vector<std::string> argv_;
    int exit_code_;
    std::map<std::string, std::string> lock_info_;
    bool killed_ = false;
};

using EventCallback = std::function<void(const UiEvent&)>;
using OutputCallback = std::function<void(process::Stream, std::string_view)>;

struct EngineOptions {
    std::filesystem::path working_dir;  // the root module
    // The binary: this path, else $TFSTAGE_TERRAFORM, else `terraform`, else `tofu` on PATH.
    std::filesystem::path binary;
    // Terraform CLI config for children (TF_CLI_CONFIG_FILE); empty: the inherited one.
    std::filesystem::path cli_config_file;
    // Workspace for every call (TF_WORKSPACE); empty: whatever `workspace select` chose.
    std::string workspace;
    std::map<std::string, std::string> env;  // extra environment for children
    // TF_CLI_ARGS* and TF_WORKSPACE from our own environment change what a command does behind
    // the caller's back, so they are dropped unless this is set.
    bool inherit_tf_cli_args = false;
    std::chrono::milliseconds timeout{0};  // per command; 0: none
    // Between SIGINT and SIGKILL when cancelled, timed out, or when we die (the orphan guard).
    // Terraform stops gracefully on SIGINT, saves its state and releases the lock; that can
    // take long on a loaded machine (its own Go wrapper waits 60 s).
    std::chrono::milliseconds grace{std::chrono::seconds(60)};
    // How long plan, apply and destroy wait for the state lock (-lock-timeout) when the call
    // names no lock_timeout of its own: a run resumed right after a killed one waits for the
    // interrupted Terraform to save its state and let go. "" or "0s": fail at once.
    std::string lock_timeout = "30s";
    std::shared_ptr<process::CancelToken> cancel;
    // What `version -json` said, when the caller already knows it: saves one launch per Engine.
    std::optional<EngineInfo> known_info;
    EventCallback on_event;    // -json UI events of plan, apply and destroy
    OutputCallback on_output;  // raw lines of the other commands
};

// A variable value. Values are secret by default: they never appear in logs, errors, journals
// or on Terraform's command line (they reach it in a private var file: terraform/var_file.hpp).
struct Variable {
    std::string name;
    std::string value;
};

struct InitOptions {
    std::vector<std::string> backend_config;  // KEY=VALUE or a file path, one -backend-config each
    bool reconfigure = false;
    bool upgrade = false;
    bool backend = true;  // false: -backend=false
};

struct PlanOptions {
    std::vector<Variable> vars;
    std::vector<std::filesystem::path> var_files;
    std::vector<std::string> targets;
    std::vector<std::string> excludes;  // OpenTofu >= 1.9 only
    std::vector<std::string> replace;
    bool destroy = false;
    bool refresh_only = false;
    bool refresh = true;
    std::filesystem::path out;  // saved plan file; empty: none
    bool lock = true;
    std::string lock_timeout;  // e.g. "30s"; empty: EngineOptions::lock_timeout
    int parallelism = 0;       // 0: the engine's default
};

struct PlanResult {
    bool changes_present = false;  // from -detailed-exitcode
    std::optional<ChangeSummary> summary;
    std::vector<Diagnostic> warnings;
    std::filesystem::path plan_file;
};

struct ApplyOptions {
    // Either a saved plan file (applied exactly as planned) ...
    std::filesystem::path plan_file;
    // ... or a fresh plan, applied with -auto-approve.
    std::vector<Variable> vars;
    std::vector<std::filesystem::path> var_files;
    std::vector<std::string> targets;
    std::vector<std::string> excludes;
    bool destroy = false;
    bool lock = true;
    std::string lock_timeout;  // empty: EngineOptions::lock_timeout
    int parallelism = 0;
};

struct ApplyResult {
    std::optional<ChangeSummary> summary;
    std::vector<Diagnostic> warnings;
    // The root's outputs after the apply, from its `outputs` message, shaped as `output -json`
    // ({"name": {"sensitive":..,"type":..,"value":..}}) except that a sensitive output has no
    // value. nullopt when the engine sent none (a destroy).
    std::optional<nlohmann::json> outputs;
};

struct ValidateResult {
    bool valid = false;
    int error_count = 0;
    int warning_count = 0;
    std::vector<Diagnostic> diagnostics;
};

class Engine {
public:
    explicit Engine(EngineOptions options);

    // `version -json`, run once and cached.
    const EngineInfo& info();
    const EngineOptions& options() const { return options_; }

    void init(const InitOptions& options = {});

    std::vector<std::string> workspace_list();
    std::string workspace_show();
    void workspace_new(const std::string& name);
    void workspace_select(const std::string& name);
    void workspace_delete(const std::string& name, bool force = false);
    // Selects the workspace, creating it first when it does not exist. Idempotent.
    void workspace_select_or_create(const std::string& name);

    PlanResult plan(const PlanOptions& options);
    ApplyResult apply(const ApplyOptions& options);
    ApplyResult destroy(ApplyOptions options);

    // show -json of a saved plan file, or of the current state when plan_file is empty. With
    // to_file set, the (possibly huge) document goes to that file and "" is returned.
    std::string show_json(const std::filesystem::path& plan_file = {}, const std::filesystem::path& to_file = {});

    // output -json: all outputs ({"name": {"sensitive":..,"type":..,"value":..}}).
    nlohmann::json outputs();
    // output -json NAME: one output's value.
    nlohmann::json output(const std::string& name);
    // output -raw NAME: a string, number or bool output as text.
    std::string output_raw(const std::string& name);

    ValidateResult validate();
    std::vector<std::string> state_list(const std::vector<std::string>& addresses = {});

    // How many children this engine has started (the journal counts engine launches).
    int launches() const { return launches_; }

private:
    // What happens to a child's output besides being captured.
    enum class Output {
        quiet,  // kept for parsing only (version, output, show, ...)
        text,   // lines go to on_output (init, workspace)
        json,   // stdout is the -json UI stream: events go to on_event
    };
    struct Run {
        std::vector<std::string> args;
        Output output = Output::quiet;
        std::string what;                    // for messages: "plan", "workspace new prod", ...
        std::filesystem::path stdout_file;   // large output goes here instead of memory
        bool exit_2_is_success = false;      // -detailed-exitcode: 2 means "changes present"
    };
    process::Result run(const Run& spec);
    // Runs and throws EngineError on failure.
    process::Result run_checked(const Run& spec);
    // Throws EngineError when `result` (of running `spec`) is a failure; returns it otherwise.
    process::Result checked(const Run& spec, process::Result result);
    // The plan's argv; `var_files` receives the var files holding options.vars, which must
    // outlive the command.
    std::vector<std::string> plan_args(const PlanOptions& options, std::unique_ptr<VarFiles>& var_files);

    EngineOptions options_;
    std::optional<EngineInfo> info_;
    std::filesystem::path binary_;
    int launches_ = 0;
};

// Finds the engine binary: explicit, $TFSTAGE_TERRAFORM, terraform, then tofu on PATH.
std::filesystem::path discover_binary(const std::filesystem::path& explicit_path = {});

// The argv as it may be shown: values of -var (and -backend-config KEY=VALUE) replaced.
std::vector<std::string> redact_argv(const std::vector<std::string>& argv);
std::string join_argv(const std::vector<std::string>& argv);

// Parsers of the engine's outputs (exposed for tests and for callers holding saved outputs).
std::vector<std::string> parse_workspace_list(const std::string& text);
EngineInfo parse_version_json(const std::string& text, const std::filesystem::path& binary);
ValidateResult parse_validate_json(const nlohmann::json& document);

// Diagnostics from the human (non -json) error output of commands like init and workspace.
std::vector<Diagnostic> parse_text_diagnostics(const std::string& text);

}  // namespace tfstage::terraform
