// The AWS CDK command line (`cdk`), driven like the Terraform engine: argv only, never a shell;
// non-interactive and offline by default (CDK_DISABLE_VERSION_CHECK=1,
// CDK_DISABLE_CLI_TELEMETRY=true, --no-notices, --no-color); typed options per command; the
// output parsed line by line into per-stack events. The CLI exits 0 or 1 only, so which stack
// failed is worked out from its output and carried by CdkError.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "support/error.hpp"

namespace tfstage::cdk {

using TimePoint = std::chrono::system_clock::time_point;

// What one line of `cdk deploy` / `cdk destroy` output says about a stack.
struct StackEvent {
    enum class Kind {
        started,     // "STACK: deploying... [1/2]", "STACK: destroying... [1/6]"
        resource,    // "STACK | 1 | 7:57:02 PM | CREATE_COMPLETE | AWS::SQS::Queue | Queue ..."
        succeeded,   // "✅  STACK"
        no_changes,  // "✅  STACK (no changes)"
        destroyed,   // "✅  STACK: destroyed"
        failed,      // "❌  STACK failed: ValidationError: ..."
    };
    Kind kind = Kind::started;
    std::string stack;            // as the CLI prints it: the display name
    std::string resource_status;  // resource events: CREATE_COMPLETE, ...
    std::string resource_type;    // resource events: AWS::SQS::Queue
    std::string message;          // failures: the reason; resource events: the rest of the line
    TimePoint at;                 // when the line was read
};

const char* to_string(StackEvent::Kind kind) noexcept;

// Parses output lines; stateless apart from nothing, exposed for tests and saved logs.
// Colour codes are ignored. Returns nullopt for lines about no stack.
std::optional<StackEvent> parse_output_line(std::string_view line);

// What happened to one stack in one command.
struct StackResult {
    std::string stack;
    std::string status;  // "deployed", "no_changes", "destroyed", "failed", "started" (no end seen)
    std::string message;  // the failure's reason
    std::optional<TimePoint> started;
    std::optional<TimePoint> finished;
    int resource_events = 0;
};

// A failed cdk command: which stacks failed (from the output), the argv and exit code.
class CdkError : public Error {
public:
    CdkError(ErrorCode code, const std::string& message, std::vector<std::string> failed_stacks, std::vector<std::string> argv,
             int exit_code, std::vector<StackResult> stacks)
        : Error(code, message),
          failed_stacks_(std::move(failed_stacks)),
          argv_(std::move(argv)),
          exit_code_(exit_code),
          stacks_(std::move(stacks)) {}
    const std::vector<std::string>& failed_stacks() const noexcept { return failed_stacks_; }
    const std::vector<std::string>& argv() const noexcept { return argv_; }
    int exit_code() const noexcept { return exit_code_; }
    const std::vector<StackResult>& stacks() const noexcept { return stacks_; }

private:
    std::vector<std::string> failed_stacks_;
    std::vector<std::string> argv_;
    int exit_code_;
    std::vector<StackResult> stacks_;
};

struct CliOptions {
    std::filesystem::path working_dir;  // the app's directory (where cdk.json is); the CLI's cwd
    // The CLI: this path, else node_modules/.bin/cdk in working_dir or above, else `cdk` on PATH.
    std::filesystem::path binary;
    std::map<std::string, std::string> env;  // extra environment (AWS_ENDPOINT_URL, AWS_REGION, ...)
    std::chrono::milliseconds timeout{0};    // per command; 0: none
    std::chrono::milliseconds grace{std::chrono::seconds(60)};  // between SIGINT and SIGKILL
    std::shared_ptr<process::CancelToken> cancel;
    std::function<void(const StackEvent&)> on_event;                  // deploy, destroy
    std::function<void(process::Stream, std::string_view)> on_output;  // every raw line
};

// Shared by every command: which app, with which context.
struct AppOptions {
    std::string app;  // --app: a command ("node app.js") or an assembly directory; "" = cdk.json's
    std::map<std::string, std::string> context;  // --context KEY=VALUE each
};

struct SynthOptions : AppOptions {
    std::filesystem::path output;  // --output DIR; "" = cdk.out
    std::vector<std::string> stacks;
};

struct ListOptions : AppOptions {};

struct DeployOptions : AppOptions {
    std::vector<std::string> stacks;
    bool all = false;                         // --all (instead of stacks)
    int concurrency = 0;                      // --concurrency N; 0: the CLI's default (1)
    std::string require_approval = "never";   // tfstage's own gate has asked already
    bool exclusively = true;                  // tfstage orders the stacks itself
    std::string method;                       // --method direct|change-set|prepare-change-set; "" = default
    std::filesystem::path outputs_file;       // --outputs-file
    bool rollback = true;                     // false: --no-rollback
    std::string progress = "events";          // --progress bar|events
};

struct DeployResult {
    std::vector<StackResult> stacks;
    nlohmann::json outputs = nlohmann::json::object();  // {"STACK": {"KEY": "value"}} from --outputs-file
};

struct DiffOptions : AppOptions {
    std::vector<std::string> stacks;
    bool exclusively = true;
};

struct DiffResult {
    std::string text;                 // what the CLI printed: the preview a gate shows
    int stacks_with_differences = -1;  // from "Number of stacks with differences: N"; -1 unknown
    int removals = 0;                  // "[-]" lines: resources that would be deleted
};

struct DestroyOptions : AppOptions {
    std::vector<std::string> stacks;
    bool all = false;
    bool exclusively = true;
};

class Cli {
public:
    explicit Cli(CliOptions options);

    const std::filesystem::path& binary() const { return binary_; }
    const CliOptions& options() const { return options_; }

    // `cdk --version`: "2.1148.1 (build ...)".
    std::string version();
    void synth(const SynthOptions& options);
    // `list --long --show-dependencies --json`: the CLI's own document.
    nlohmann::json list(const ListOptions& options);
    DeployResult deploy(const DeployOptions& options);
    DiffResult diff(const DiffOptions& options);
    std::vector<StackResult> destroy(const DestroyOptions& options);

    int launches() const { return launches_; }

    // The argv a command would run (for tests and messages).
    std::vector<std::string> deploy_argv(const DeployOptions& options) const;
    std::vector<std::string> diff_argv(const DiffOptions& options) const;
    std::vector<std::string> destroy_argv(const DestroyOptions& options) const;
    std::vector<std::string> synth_argv(const SynthOptions& options) const;

private:
    struct Outcome {
        process::Result result;
        std::vector<StackResult> stacks;
    };
    Outcome run(const std::vector<std::string>& argv, const std::string& what, bool stack_events);
    [[noreturn]] void fail(const std::string& what, const std::vector<std::string>& argv, const Outcome& outcome);

    CliOptions options_;
    std::filesystem::path binary_;
    int launches_ = 0;
};

// Finds the CLI: explicit, then node_modules/.bin/cdk in app_dir or a parent, then PATH.
// Throws Error(not_found) saying what was tried and how to install it.
std::filesystem::path discover_cli(const std::filesystem::path& explicit_path, const std::filesystem::path& app_dir);

// Reads an --outputs-file: {"STACK": {"KEY": "value"}}; {} when the file does not exist.
nlohmann::json read_outputs_file(const std::filesystem::path& file);

}  // namespace tfstage::cdk
