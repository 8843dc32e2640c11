// A rollout file, as loaded: roots, environments and stages. This is the contract between the
// file reader (rollout_file.cpp, which validates everything it can without running anything)
// and the executor. docs/rollout-file.md documents the file format.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/policy.hpp"
#include "support/error.hpp"

namespace tfstage::rollout {

using Duration = std::chrono::milliseconds;

// Where something was written: for error messages ("rollout.yaml:12:5: stages[2].needs: ...").
struct SourceLocation {
    std::string file;
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based; 0 when unknown
};

// A directory holding a Terraform root module.
struct Root {
    std::string name;
    std::filesystem::path path;  // absolute (resolved against the rollout file's directory)
    std::string engine;          // terraform/tofu binary; "" for discovery
    SourceLocation where;
};

enum class ApprovalRule {
    auto_approve,          // "auto": never stop
    manual,                // "manual": every stage with changes stops at its gate
    manual_when_deleting,  // "manual-when-deleting": stop only when the plan deletes or replaces
};

struct GitGuards {
    bool require_clean = false;
    std::string require_branch;  // "" : any
    bool require_up_to_date = false;
};

struct Environment {
    std::string name;
    // A workspace (selected, or created when missing) ...
    std::string workspace;  // "" means "default"
    // ... or a directory of its own, relative to each root (environments/production): the
    // root module of this environment is then <root>/<directory>.
    std::filesystem::path directory;
    std::vector<std::filesystem::path> var_files;  // absolute
    std::map<std::string, std::string> vars;       // values are secret: never printed
    ApprovalRule approval = ApprovalRule::manual;
    std::optional<plan::PolicyRules> policies;
    std::optional<Duration> deadline;  // for the whole rollout
    // Between SIGINT and SIGKILL for this environment's children (Terraform, the CDK CLI,
    // commands and checks) when cancelled, past a deadline, or when tfstage dies; unset: the
    // run's default (RunOptions::grace, 60 s).
    std::optional<Duration> interrupt_grace;
    GitGuards git;
    SourceLocation where;
};

// A command run without a shell: argv[0] is the program. ${env}, ${workspace},
// ${output.NAME} and ${item} are substituted in argv, env values and cwd.
struct CommandSpec {
    std::vector<std::string> argv;
    std::map<std::string, std::string> env;
    std::filesystem::path cwd;  // "" : the rollout file's directory; relative paths are resolved against it
    Duration timeout{0};        // 0: none
    SourceLocation where;
};

struct Check {
    std::string name;  // default "check N"
    CommandSpec command;
    int expect_exit = 0;
    int retries = 0;  // further attempts after the first
    Duration interval{std::chrono::seconds(5)};
    SourceLocation where;
};

enum class StageKind {
    apply,    // terraform apply, targeted (targets/excludes) or whole
    destroy,  // terraform destroy of targets
    command,  // a command step (traffic shift, health check, ...)
    cdk,      // AWS CDK: synthesize, deploy stacks, or destroy stacks
};

// A `cdk` stage: synthesize the app into a cloud assembly, and/or deploy (or destroy) stacks.
// The stacks are ordered by the assembly's dependencies; independent ones deploy together.
struct CdkStage {
    std::filesystem::path dir;             // the app's directory (cdk.json; the CLI's cwd): absolute
    std::string app;                       // --app: a command or an assembly directory; "" = cdk.json's
    std::filesystem::path synth;           // synthesize into this directory first (absolute); "" = no synth
    std::vector<std::string> deploy;       // stacks to deploy
    std::vector<std::string> destroy;      // stacks to destroy (cleanup)
    int concurrency = 0;                   // 0: one at a time
    std::map<std::string, std::string> context;  // --context KEY=VALUE
    std::string method;                    // --method; "" = the CLI's default
    bool rollback = true;                  // false: --no-rollback
    std::string cli;                       // the cdk CLI; "" = node_modules/.bin/cdk near the app, then PATH
    std::map<std::string, std::string> env;  // extra environment for the CLI (${...} substituted)

    bool synth_only() const { return deploy.empty() && destroy.empty(); }
    // The assembly the stacks come from: the synth output, else `app` when it is a directory.
    std::filesystem::path assembly_dir() const;
};

enum class OnFailure { stop, rollback };

struct Stage {
    std::string name;
    StageKind kind = StageKind::apply;
    std::string root;  // the root's name (apply/destroy; the only root when not given)

    // apply / destroy
    std::vector<std::string> targets;
    std::vector<std::string> excludes;
    std::map<std::string, std::string> vars;  // on top of the environment's (seed 000's scaling)
    std::optional<ApprovalRule> approval;     // overrides the environment's rule

    // cdk
    CdkStage cdk;

    // command
    CommandSpec command;
    std::vector<std::string> for_each;  // ${item} takes each value in turn
    Duration wait{0};                   // pause between for_each items

    std::vector<std::string> needs;  // stage names; when not written: the previous stage
    bool needs_written = false;
    std::vector<Check> checks;
    std::optional<Duration> deadline;
    std::optional<Duration> expected;  // the target duration, for the timing table (no effect on the run)
    OnFailure on_failure = OnFailure::stop;
    std::vector<CommandSpec> rollback;  // run when the stage or its checks fail
    // git (issue 7): paths (absolute) whose changes select this stage with --changed-since,
    // on top of its root's files and modules; and whether `tfstage rollback` may roll it back
    // (`rollback: false` for data stores).
    std::vector<std::filesystem::path> watch;
    bool rollback_allowed = true;
    SourceLocation where;
};

// The word for a stage kind, as rollout files, the journal, events and describe documents
// write it: "apply", "destroy", "command" or "cdk".
const char* stage_kind_word(StageKind kind);

// Apply and destroy stages: they plan and apply with Terraform, on a root and workspace.
bool uses_terraform(const Stage& stage);

struct Rollout {
    std::filesystem::path file;      // absolute path of the rollout file
    std::filesystem::path base_dir;  // its directory: relative paths start here
    int version = 1;
    std::string name;
    std::vector<Root> roots;
    std::vector<Environment> environments;
    std::vector<Stage> stages;
    bool converge = true;  // end with an untargeted plan of each root

    const Root* find_root(const std::string& name) const;
    const Environment* find_environment(const std::string& name) const;
    const Stage* find_stage(const std::string& name) const;
};

// One problem found in a rollout file.
struct Problem {
    SourceLocation where;
    std::string key;  // the path of the key: "stages[2].needs[0]"
    std::string message;

    // "FILE:LINE:COL: KEY: MESSAGE"
    std::string str() const;
};

// A problem as a diagnostic, the one shape problems take in JSON (the C ABI's error
// diagnostics, `tfstage validate --json`, tfs_rollout_validate): severity "error", the
// message in summary, the file, line and column, and the key in address.
Diagnostic to_diagnostic(const Problem& problem);

// Every problem of a file at once, so that people fix them in one go.
class ValidationError : public Error {
public:
    explicit ValidationError(std::vector<Problem> problems);
    const std::vector<Problem>& problems() const noexcept { return problems_; }

private:
    std::vector<Problem> problems_;
};

}  // namespace tfstage::rollout
