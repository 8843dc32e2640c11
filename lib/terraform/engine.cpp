#include "terraform/engine.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "support/log.hpp"
#include "terraform/var_file.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::terraform {
namespace {

constexpr const char* kStaleSummary = "Saved plan is stale";
constexpr const char* kLockSummary = "Error acquiring the state lock";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

std::string absolute_path(const fs::path& path) { return fs::absolute(path).lexically_normal().string(); }

// "Lock Info:\n  ID: x\n  Path: y ..." in the detail of a lock diagnostic.
std::map<std::string, std::string> parse_lock_info(const std::string& detail) {
    std::map<std::string, std::string> info;
    std::istringstream lines(detail);
    std::string line;
    bool inside = false;
    while (std::getline(lines, line)) {
        if (trim(line) == "Lock Info:") {
            inside = true;
            continue;
        }
        if (!inside) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos || !starts_with(line, "  ")) break;
        info[trim(std::string_view(line).substr(0, colon))] = trim(std::string_view(line).substr(colon + 1));
    }
    return info;
}

// Values never go on argv (`ps` shows it to every user): they go in a private var file passed
// after the user's var files, where -var used to be (see var_file.hpp for the precedence).
void add_var_args(std::vector<std::string>& args, const std::vector<Variable>& vars,
                  const std::vector<fs::path>& var_files, const fs::path& root, std::unique_ptr<VarFiles>& keep) {
    for (const auto& file : var_files) args.push_back("-var-file=" + absolute_path(file));
    if (vars.empty()) return;
    keep = std::make_unique<VarFiles>(vars, root);
    for (const auto& path : keep->paths()) args.push_back("-var-file=" + path.string());
}

// The call's lock timeout, else the engine's default.
void add_lock_args(std::vector<std::string>& args, bool lock, const std::string& lock_timeout,
                   const std::string& default_lock_timeout, int parallelism) {
    if (!lock) args.emplace_back("-lock=false");
    const std::string& wait = lock_timeout.empty() ? default_lock_timeout : lock_timeout;
    if (lock && !wait.empty()) args.push_back("-lock-timeout=" + wait);
    if (parallelism > 0) args.push_back("-parallelism=" + std::to_string(parallelism));
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// "60 s", "1.5 s", "500 ms".
std::string duration_text(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms < 1000) return std::to_string(ms) + " ms";
    std::string text = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
        while (fraction.back() == '0') fraction.pop_back();
        text += "." + fraction;
    }
    return text + " s";
}

// The -lock-timeout a command was given ("" when none).
std::string lock_timeout_of(const std::vector<std::string>& args) {
    for (const auto& arg : args)
        if (starts_with(arg, "-lock-timeout=")) return arg.substr(std::string_view("-lock-timeout=").size());
    return {};
}

// The ID of a lock the local backend left behind (.terraform.tfstate.lock.info next to the
// state of the workspace); "" when there is none or it is not readable.
std::string local_lock_id(const fs::path& working_dir, const std::string& workspace) {
    const fs::path state_dir =
        workspace.empty() || workspace == "default" ? working_dir : working_dir / "terraform.tfstate.d" / workspace;
    std::ifstream in(state_dir / ".terraform.tfstate.lock.info");
    if (!in) return {};
    const json info = json::parse(in, nullptr, false);
    return info.is_object() && info.contains("ID") && info["ID"].is_string() ? info["ID"].get<std::string>() : "";
}

}  // namespace

std::vector<std::string> redact_argv(const std::vector<std::string>& argv) {
    std::vector<std::string> out;
    out.reserve(argv.size());
    bool value_follows = false;
    for (const auto& arg : argv) {
        if (value_follows) {
            const auto eq = arg.find('=');
            out.push_back(eq == std::string::npos ? "<redacted>" : arg.substr(0, eq + 1) + "<redacted>");
            value_follows = false;
            continue;
        }
        std::string flag = arg;
        if (starts_with(flag, "--")) flag.erase(0, 1);
        if (flag == "-var" || flag == "-backend-config") {
            out.push_back(arg);
            value_follows = true;
            continue;
        }
        const bool is_var = starts_with(flag, "-var=");
        const bool is_backend_kv = starts_with(flag, "-backend-config=") &&
                                   arg.find('=', arg.find('=') + 1) != std::string::npos;
        if (is_var || is_backend_kv) {
            const auto name_end = arg.find('=', arg.find('=') + 1);
            out.push_back(name_end == std::string::npos ? arg.substr(0, arg.find('=') + 1) + "<redacted>"
                                                        : arg.substr(0, name_end + 1) + "<redacted>");
            continue;
        }
        out.push_back(arg);
    }
    return out;
}

std::string join_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
        if (plain) {
            out += arg;
        } else {
            out += '\'';
            for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            out += '\'';
        }
    }
    return out;
}

std::vector<Diagnostic> parse_text_diagnostics(const std::string& text) {
    std::vector<Diagnostic> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        // With -no-color, Terraform may still frame diagnostics with "│ " (box drawing).
        std::string_view view(line);
        if (starts_with(view, "\xe2\x94\x82 ")) view.remove_prefix(4);
        else if (starts_with(view, "\xe2\x95\xb7") || starts_with(view, "\xe2\x95\xb5")) continue;
        if (starts_with(view, "Error: ") || starts_with(view, "Warning: ")) {
            Diagnostic d;
            d.severity = starts_with(view, "Error: ") ? "error" : "warning";
            d.summary = trim(view.substr(view.find(':') + 1));
            out.push_back(std::move(d));
            continue;
        }
        if (out.empty()) continue;
        Diagnostic& d = out.back();
        const std::string trimmed = trim(view);
        if (d.filename.empty() && starts_with(trimmed, "on ") && trimmed.find(" line ") != std::string::npos) {
            // "on main.tf line 3, in resource ...:"
            const auto line_pos = trimmed.find(" line ");
            d.filename = trimmed.substr(3, line_pos - 3);
            d.line = std::atoi(trimmed.c_str() + line_pos + 6);
            continue;
        }
        if (!trimmed.empty() || !d.detail.empty()) {
            if (!d.detail.empty()) d.detail += '\n';
            d.detail += std::string(view);
        }
    }
    for (auto& d : out) d.detail = trim(d.detail);
    return out;
}

fs::path discover_binary(const fs::path& explicit_path) {
    auto check = [](const fs::path& path, const std::string& source) {
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            throw Error(ErrorCode::not_found, source + " names " + path.string() + ", which is not a file");
        return path;
    };
    if (!explicit_path.empty()) {
        if (explicit_path.has_parent_path()) return check(explicit_path, "the engine option");
        if (auto found = process::find_on_path(explicit_path.string())) return *found;
        throw Error(ErrorCode::not_found, "engine '" + explicit_path.string() + "' is not on PATH");
    }
    if (const char* env = std::getenv("TFSTAGE_TERRAFORM"); env != nullptr && *env != '\0') {
        const fs::path path(env);
        if (path.has_parent_path()) return check(path, "TFSTAGE_TERRAFORM");
        if (auto found = process::find_on_path(env)) return *found;
        throw Error(ErrorCode::not_found, std::string("TFSTAGE_TERRAFORM names '") + env + "', which is not on PATH");
    }
    for (const char* name : {"terraform", "tofu"})
        if (auto found = process::find_on_path(name)) return *found;
    throw Error(ErrorCode::not_found,
                "neither terraform nor tofu is on PATH: install one, or set TFSTAGE_TERRAFORM to its path");
}

std::vector<std::string> parse_workspace_list(const std::string& text) {
    std::vector<std::string> names;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::string name = trim(line);
        if (starts_with(name, "* ")) name = trim(name.substr(2));
        if (!name.empty()) names.push_back(name);
    }
    return names;
}

EngineInfo parse_version_json(const std::string& text, const fs::path& binary) {
    const json parsed = json::parse(text, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("terraform_version") || !parsed["terraform_version"].is_string())
        throw Error(ErrorCode::parse_error, binary.string() + " version -json did not print a version: " + first_line(text));
    EngineInfo info;
    info.binary = binary.string();
    info.version = Version::parse(parsed["terraform_version"].get<std::string>());
    const auto platform = parsed.find("platform");
    if (platform != parsed.end() && platform->is_string()) info.platform = platform->get<std::string>();
    // OpenTofu keeps Terraform's key names in version -json; its binary is called tofu.
    info.flavour = binary.filename().string().find("tofu") != std::string::npos ? Flavour::opentofu : Flavour::terraform;
    return info;
}

ValidateResult parse_validate_json(const json& parsed) {
    if (!parsed.is_object() || !parsed.contains("valid") || !parsed["valid"].is_boolean())
        throw Error(ErrorCode::parse_error, "validate -json output has no boolean 'valid'");
    ValidateResult validation;
    validation.valid = parsed["valid"].get<bool>();
    const auto count = [&](const char* key) {
        const auto it = parsed.find(key);
        return it != parsed.end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    validation.error_count = count("error_count");
    validation.warning_count = count("warning_count");
    const auto diagnostics = parsed.find("diagnostics");
    if (diagnostics != parsed.end() && diagnostics->is_array())
        for (const auto& d : *diagnostics) validation.diagnostics.push_back(parse_diagnostic(d));
    return validation;
}

Engine::Engine(EngineOptions options) : options_(std::move(options)), info_(options_.known_info) {
    binary_ = info_ ? fs::path(info_->binary) : discover_binary(options_.binary);
    if (options_.working_dir.empty()) options_.working_dir = fs::current_path();
    std::error_code ec;
    if (!fs::is_directory(options_.working_dir, ec))
        throw Error(ErrorCode::not_found, "the root module directory " + options_.working_dir.string() + " does not exist");
    options_.working_dir = fs::absolute(options_.working_dir);
}

const EngineInfo& Engine::info() {
    if (!info_) {
        const auto result = run_checked({{"version", "-json"}, Output::quiet, "version"});
        info_ = parse_version_json(result.out, binary_);
    }
    return *info_;
}

process::Result Engine::run(const Run& spec) {
    std::vector<std::string> argv{binary_.string()};
    argv.insert(argv.end(), spec.args.begin(), spec.args.end());

    process::Command command;
    command.argv = argv;
    command.cwd = options_.working_dir;
    command.timeout = options_.timeout;
    command.grace = options_.grace;
    command.cancel = options_.cancel;
    command.stdout_file = spec.stdout_file;
    command.env = options_.env;
    command.env["TF_IN_AUTOMATION"] = "1";
    command.env["TF_INPUT"] = "0";
    if (!options_.cli_config_file.empty()) command.env["TF_CLI_CONFIG_FILE"] = absolute_path(options_.cli_config_file);
    if (!options_.inherit_tf_cli_args) command.env_drop = {"TF_CLI_ARGS*", "TF_WORKSPACE"};
    // workspace commands manage the selection themselves; TF_WORKSPACE would override it.
    const bool workspace_command = argv.size() > 1 && argv[1] == "workspace";
    if (!options_.workspace.empty() && !workspace_command) command.env["TF_WORKSPACE"] = options_.workspace;

    if (spec.output == Output::json) {
        command.on_line = [this](process::Stream stream, std::string_view line) {
            if (stream == process::Stream::out) {
                if (options_.on_event) options_.on_event(parse_ui_line(line));
            } else if (options_.on_output) {
                options_.on_output(stream, line);
            }
        };
    } else if (spec.output == Output::text && options_.on_output) {
        command.on_line = options_.on_output;
    }

    log().debug("running {} in {}", join_argv(redact_argv(argv)), options_.working_dir.string());
    ++launches_;
    return process::run(command);
}

process::Result Engine::run_checked(const Run& spec) { return checked(spec, run(spec)); }

process::Result Engine::checked(const Run& spec, process::Result result) {
    const bool json_stream = spec.output == Output::json;
    const std::string& what = spec.what;
    const bool failed = result.exit_code != 0 && !(spec.exit_2_is_success && result.exit_code == 2);
    if (!failed && !result.cancelled && !result.timed_out) return result;

    // Diagnostics: the -json stream's, then anything human-readable on stderr.
    std::vector<Diagnostic> diagnostics;
    if (json_stream) {
        std::istringstream lines(result.out);
        std::string line;
        while (std::getline(lines, line)) {
            UiEvent event = parse_ui_line(line);
            if (event.diagnostic && event.diagnostic->severity == "error") diagnostics.push_back(*event.diagnostic);
        }
    }
    for (auto& d : parse_text_diagnostics(result.err))
        if (d.severity == "error") diagnostics.push_back(std::move(d));

    ErrorCode code = ErrorCode::engine_failed;
    std::map<std::string, std::string> lock_info;
    if (result.cancelled) code = ErrorCode::cancelled;
    else if (result.timed_out) code = ErrorCode::timeout;
    for (const auto& d : diagnostics) {
        if (d.summary.find(kStaleSummary) != std::string::npos) code = ErrorCode::plan_stale;
        if (d.summary.find(kLockSummary) != std::string::npos) {
            code = ErrorCode::state_locked;
            lock_info = parse_lock_info(d.detail);
        }
    }

    const std::string tool = binary_.filename().string();
    std::string message = what + " ";
    switch (code) {
        case ErrorCode::cancelled: message += "was cancelled"; break;
        case ErrorCode::timeout: message += "timed out after " + std::to_string(options_.timeout.count()) + " ms"; break;
        case ErrorCode::plan_stale:
            message += "refused a stale plan: the state changed after the plan was made; plan again and review the new plan";
            break;
        case ErrorCode::state_locked: {
            message += "could not lock the state";
            if (lock_info.count("Who")) message += ": it is held by " + lock_info["Who"];
            if (lock_info.count("Operation")) message += " (" + lock_info["Operation"] + ")";
            if (lock_info.count("Created")) message += " since " + lock_info["Created"];
            if (lock_info.count("ID")) message += ", lock ID " + lock_info["ID"];
            if (lock_info.count("Path")) message += ", lock " + lock_info["Path"];
            const std::string waited = lock_timeout_of(spec.args);
            if (!waited.empty() && waited != "0s" && waited != "0") message += " (waited " + waited + ")";
            message += ". If that " + tool +
                       " is still running (perhaps one a killed tfstage left behind, stopping gracefully), wait "
                       "for it and try again. If no process holds the lock any more, release it with `" + tool +
                       " force-unlock " + (lock_info.count("ID") ? lock_info["ID"] : std::string("LOCK_ID")) +
                       "` in " + options_.working_dir.string();
            if (!options_.workspace.empty()) message += " (workspace " + options_.workspace + ")";
            break;
        }
        default: message += "failed (exit code " + std::to_string(result.exit_code) + ")"; break;
    }
    if (code != ErrorCode::state_locked && code != ErrorCode::plan_stale && !diagnostics.empty()) {
        message += ": " + diagnostics.front().summary;
        if (!diagnostics.front().detail.empty()) message += ": " + first_line(diagnostics.front().detail);
    } else if (diagnostics.empty() && code == ErrorCode::engine_failed) {
        const std::string tail = trim(result.err);
        if (!tail.empty()) message += ": " + first_line(tail);
    }
    if (result.killed) {
        // SIGKILL gave it no chance to save its state or release the lock.
        const std::string id = local_lock_id(options_.working_dir, options_.workspace);
        message += "; " + tool + " did not stop within " + duration_text(options_.grace) +
                   " of SIGINT and was killed (SIGKILL): what it was changing may be missing from the state, and "
                   "its state lock may be left behind: once no " + tool + " process runs there, release it with `" +
                   tool + " force-unlock " + (id.empty() ? std::string("LOCK_ID") : id) + "` in " +
                   options_.working_dir.string();
        if (id.empty()) message += " (the next plan names the lock ID)";
    }
    std::vector<std::string> shown{binary_.string()};
    shown.insert(shown.end(), spec.args.begin(), spec.args.end());
    shown = redact_argv(shown);
    message += "\n  command: " + join_argv(shown) + "\n  directory: " + options_.working_dir.string();
    throw EngineError(code, message, std::move(diagnostics), shown, result.exit_code, std::move(lock_info),
                      result.killed);
}

void Engine::init(const InitOptions& options) {
    std::vector<std::string> args{"init", "-input=false", "-no-color"};
    for (const auto& value : options.backend_config) args.push_back("-backend-config=" + value);
    if (options.reconfigure) args.emplace_back("-reconfigure");
    if (options.upgrade) args.emplace_back("-upgrade");
    if (!options.backend) args.emplace_back("-backend=false");
    run_checked({std::move(args), Output::text, "init"});
}

std::vector<std::string> Engine::workspace_list() {
    return parse_workspace_list(run_checked({{"workspace", "list"}, Output::quiet, "workspace list"}).out);
}

std::string Engine::workspace_show() { return trim(run_checked({{"workspace", "show"}, Output::quiet, "workspace show"}).out); }

void Engine::workspace_new(const std::string& name) {
    run_checked({{"workspace", "new", "-no-color", name}, Output::text, "workspace new " + name});
}

void Engine::workspace_select(const std::string& name) {
    run_checked({{"workspace", "select", "-no-color", name}, Output::text, "workspace select " + name});
}

void Engine::workspace_delete(const std::string& name, bool force) {
    std::vector<std::string> args{"workspace", "delete", "-no-color"};
    if (force) args.emplace_back("-force");
    args.push_back(name);
    run_checked({std::move(args), Output::text, "workspace delete " + name});
}

void Engine::workspace_select_or_create(const std::string& name) {
    const auto names = workspace_list();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
        workspace_select(name);
    } else {
        workspace_new(name);  // `workspace new` also selects it
    }
}

std::vector<std::string> Engine::plan_args(const PlanOptions& options, std::unique_ptr<VarFiles>& var_files) {
    require(info(), Capability::json_ui);
    if (!options.excludes.empty()) require(info(), Capability::exclude);
    std::vector<std::string> args{"plan", "-input=false", "-no-color", "-json", "-detailed-exitcode"};
    add_lock_args(args, options.lock, options.lock_timeout, options_.lock_timeout, options.parallelism);
    if (options.destroy) args.emplace_back("-destroy");
    if (options.refresh_only) args.emplace_back("-refresh-only");
    if (!options.refresh) args.emplace_back("-refresh=false");
    add_var_args(args, options.vars, options.var_files, options_.working_dir, var_files);
    for (const auto& target : options.targets) args.push_back("-target=" + target);
    for (const auto& exclude : options.excludes) args.push_back("-exclude=" + exclude);
    for (const auto& address : options.replace) args.push_back("-replace=" + address);
    if (!options.out.empty()) args.push_back("-out=" + absolute_path(options.out));
    return args;
}

PlanResult Engine::plan(const PlanOptions& options) {
    PlanResult plan;
    std::unique_ptr<VarFiles> var_files;  // removed when the plan ends, however it ends
    const auto result = run_checked({plan_args(options, var_files), Output::json, "plan", {}, /*exit_2_is_success=*/true});
    plan.changes_present = result.exit_code == 2;
    if (!options.out.empty()) plan.plan_file = absolute_path(options.out);
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        UiEvent event = parse_ui_line(line);
        if (event.changes) plan.summary = event.changes;
        if (event.diagnostic && event.diagnostic->severity == "warning") plan.warnings.push_back(*event.diagnostic);
    }
    return plan;
}

ApplyResult Engine::apply(const ApplyOptions& options) {
    require(info(), Capability::json_ui);
    std::vector<std::string> args{"apply", "-input=false", "-no-color", "-json"};
    std::unique_ptr<VarFiles> var_files;  // removed when the apply ends, however it ends
    add_lock_args(args, options.lock, options.lock_timeout, options_.lock_timeout, options.parallelism);
    if (!options.plan_file.empty()) {
        // A saved plan already holds its variables and targets: Terraform refuses them again.
        if (!options.vars.empty() || !options.var_files.empty() || !options.targets.empty() || options.destroy)
            throw Error(ErrorCode::invalid_argument,
                        "applying a saved plan takes no variables, targets or -destroy: they were fixed when the plan was made");
        std::error_code ec;
        if (!fs::is_regular_file(options.plan_file, ec))
            throw Error(ErrorCode::not_found, "the plan file " + options.plan_file.string() + " does not exist");
        args.push_back(absolute_path(options.plan_file));
    } else {
        if (!options.excludes.empty()) require(info(), Capability::exclude);
        args.emplace_back("-auto-approve");
        if (options.destroy) args.emplace_back("-destroy");
        add_var_args(args, options.vars, options.var_files, options_.working_dir, var_files);
        for (const auto& target : options.targets) args.push_back("-target=" + target);
        for (const auto& exclude : options.excludes) args.push_back("-exclude=" + exclude);
    }
    const auto result = run_checked({std::move(args), Output::json, options.destroy ? "destroy" : "apply"});
    ApplyResult applied;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line)) {
        UiEvent event = parse_ui_line(line);
        if (event.changes) applied.summary = event.changes;
        if (event.diagnostic && event.diagnostic->severity == "warning") applied.warnings.push_back(*event.diagnostic);
        if (event.type == UiEventType::outputs && event.raw.contains("outputs") && event.raw["outputs"].is_object())
            applied.outputs = event.raw["outputs"];
    }
    return applied;
}

ApplyResult Engine::destroy(ApplyOptions options) {
    if (!options.plan_file.empty())
        throw Error(ErrorCode::invalid_argument, "destroy with a saved plan: make a destroy plan and apply it instead");
    options.destroy = true;
    return apply(options);
}

std::string Engine::show_json(const fs::path& plan_file, const fs::path& to_file) {
    require(info(), Capability::show_json);
    std::vector<std::string> args{"show", "-json", "-no-color"};
    if (!plan_file.empty()) {
        std::error_code ec;
        if (!fs::is_regular_file(plan_file, ec))
            throw Error(ErrorCode::not_found, "the plan file " + plan_file.string() + " does not exist");
        args.push_back(absolute_path(plan_file));
    }
    // Large documents skip the string: they stream straight to the file.
    return run_checked({std::move(args), Output::quiet, "show", to_file}).out;
}

json Engine::outputs() {
    const auto result = run_checked({{"output", "-json", "-no-color"}, Output::quiet, "output"});
    json parsed = json::parse(result.out, nullptr, false);
    if (!parsed.is_object()) throw Error(ErrorCode::parse_error, "output -json did not print a JSON object");
    return parsed;
}

json Engine::output(const std::string& name) {
    const auto result = run_checked({{"output", "-json", "-no-color", name}, Output::quiet, "output " + name});
    json parsed = json::parse(result.out, nullptr, false);
    if (parsed.is_discarded()) throw Error(ErrorCode::parse_error, "output -json " + name + " did not print JSON");
    return parsed;
}

std::string Engine::output_raw(const std::string& name) {
    std::string text = run_checked({{"output", "-raw", "-no-color", name}, Output::quiet, "output " + name}).out;
    if (!text.empty() && text.back() == '\n') text.pop_back();  // the line reader's newline
    return text;
}

ValidateResult Engine::validate() {
    const Run spec{{"validate", "-json", "-no-color"}, Output::quiet, "validate"};
    auto result = run(spec);
    // Exit code 1 with a JSON document is an invalid configuration, a result; a cancelled or
    // timed-out validate is an error like any other command's.
    if (result.cancelled || result.timed_out) checked(spec, result);  // throws
    const json parsed = json::parse(result.out, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("valid")) {
        auto diagnostics = parse_text_diagnostics(result.err);
        std::string message = "validate failed (exit code " + std::to_string(result.exit_code) + ")";
        if (!diagnostics.empty()) message += ": " + diagnostics.front().summary;
        throw Error(ErrorCode::engine_failed, message, std::move(diagnostics));
    }
    return parse_validate_json(parsed);
}

std::vector<std::string> Engine::state_list(const std::vector<std::string>& addresses) {
    std::vector<std::string> args{"state", "list", "-no-color"};
    args.insert(args.end(), addresses.begin(), addresses.end());
    const Run spec{std::move(args), Output::quiet, "state list"};
    // An empty state is a list with nothing in it, and so is a filter that matches nothing:
    // Terraform exits 1 for both, which would make every caller special-case them.
    auto probe = run(spec);
    const bool no_state = probe.err.find("No state file was found") != std::string::npos;
    const bool no_match = !addresses.empty() && probe.err.find("contains no resource") != std::string::npos;
    if (probe.exit_code != 0 && !probe.cancelled && !probe.timed_out && (no_state || no_match)) return {};
    const auto result = checked(spec, std::move(probe));
    std::vector<std::string> out;
    std::istringstream lines(result.out);
    std::string line;
    while (std::getline(lines, line))
        if (!trim(line).empty()) out.push_back(trim(line));
    return out;
}

}  // namespace tfstage::terraform
