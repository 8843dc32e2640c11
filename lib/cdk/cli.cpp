#include "cdk/cli.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

namespace tfstage::cdk {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Drops ANSI colour sequences (ESC [ ... letter), in case a CLI ignores --no-color somewhere.
std::string strip_ansi(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
            i += 2;
            while (i < line.size() && !std::isalpha(static_cast<unsigned char>(line[i]))) ++i;
            continue;
        }
        out += line[i];
    }
    while (!out.empty() && (out.back() == '\r' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string trim(std::string text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

void append_app(std::vector<std::string>& argv, const AppOptions& options) {
    if (!options.app.empty()) {
        argv.emplace_back("--app");
        argv.push_back(options.app);
    }
    for (const auto& [key, value] : options.context) {
        argv.emplace_back("--context");
        argv.push_back(key + "=" + value);
    }
}

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

}  // namespace

const char* to_string(StackEvent::Kind kind) noexcept {
    switch (kind) {
        case StackEvent::Kind::started: return "started";
        case StackEvent::Kind::resource: return "resource";
        case StackEvent::Kind::succeeded: return "succeeded";
        case StackEvent::Kind::no_changes: return "no_changes";
        case StackEvent::Kind::destroyed: return "destroyed";
        case StackEvent::Kind::failed: return "failed";
    }
    return "?";
}

std::optional<StackEvent> parse_output_line(std::string_view raw) {
    static const std::regex started(R"(^(\S+): (deploying|destroying)\.\.\. \[\d+/\d+\]$)");
    static const std::regex resource(R"(^(\S+) \| +\d+(?:/\d+)? \| [^|]+\| (\S+) +\| (\S+) +\| ?(.*)$)");
    static const std::regex ok(R"(^✅ +(\S+)(?: \([^)]*\))?$)");
    static const std::regex no_changes(R"(^✅ +(\S+)(?: \([^)]*\))? \(no changes\)$)");
    static const std::regex destroyed(R"(^✅ +(\S+)(?: \([^)]*\))?: destroyed$)");
    // "❌  STACK failed to deploy" (2.1100 and later; the reason follows on the next line,
    // "‣ ValidationError: ..."), "❌  STACK failed: Error: ..." (older), "❌  STACK: destroy failed ...".
    static const std::regex failed(R"(^❌ +(\S+)(?: \([^)]*\))?(?: failed(?: to deploy| to destroy)?|: destroy failed)[:]? *(.*)$)");
    const std::string line = strip_ansi(raw);
    std::smatch m;
    StackEvent event;
    event.at = std::chrono::system_clock::now();
    if (std::regex_match(line, m, started)) {
        event.kind = StackEvent::Kind::started;
        event.stack = m[1];
    } else if (std::regex_match(line, m, no_changes)) {
        event.kind = StackEvent::Kind::no_changes;
        event.stack = m[1];
    } else if (std::regex_match(line, m, destroyed)) {
        event.kind = StackEvent::Kind::destroyed;
        event.stack = m[1];
    } else if (std::regex_match(line, m, ok)) {
        event.kind = StackEvent::Kind::succeeded;
        event.stack = m[1];
    } else if (std::regex_match(line, m, failed)) {
        // "❌ Deployment failed: ..." names no stack: it is the summary, not a stack's line.
        if (m[1] == "Deployment" || m[1] == "Destroy") return std::nullopt;
        event.kind = StackEvent::Kind::failed;
        event.stack = m[1];
        event.message = trim(m[2]);
    } else if (std::regex_match(line, m, resource)) {
        event.kind = StackEvent::Kind::resource;
        event.stack = m[1];
        event.resource_status = m[2];
        event.resource_type = m[3];
        event.message = trim(m[4]);
    } else {
        return std::nullopt;
    }
    return event;
}

fs::path discover_cli(const fs::path& explicit_path, const fs::path& app_dir) {
    std::error_code ec;
    if (!explicit_path.empty()) {
        if (explicit_path.has_parent_path()) {
            if (!fs::exists(explicit_path, ec))
                throw Error(ErrorCode::not_found, "the cdk CLI " + explicit_path.string() + " does not exist");
            return explicit_path;
        }
        if (auto found = process::find_on_path(explicit_path.string())) return *found;
        throw Error(ErrorCode::not_found, "the cdk CLI '" + explicit_path.string() + "' is not on PATH");
    }
    for (fs::path dir = fs::absolute(app_dir).lexically_normal(); !dir.empty(); dir = dir.parent_path()) {
        const fs::path candidate = dir / "node_modules" / ".bin" / "cdk";
        if (fs::exists(candidate, ec)) return candidate;
        if (dir == dir.parent_path()) break;
    }
    if (auto found = process::find_on_path("cdk")) return *found;
    throw Error(ErrorCode::not_found, "no cdk CLI: not in node_modules/.bin of " + app_dir.string() +
                                          " or a parent, nor on PATH; install it next to the app (npm install aws-cdk@2.1148.1) "
                                          "or name it with the stage's `cli` key");
}

json read_outputs_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return json::object();
    try {
        json doc = json::parse(in);
        return doc.is_object() ? doc : json::object();
    } catch (const json::parse_error& e) {
        throw Error(ErrorCode::parse_error, "the cdk outputs file " + file.string() + " is not valid JSON: " + e.what());
    }
}

Cli::Cli(CliOptions options) : options_(std::move(options)) {
    binary_ = discover_cli(options_.binary, options_.working_dir.empty() ? fs::current_path() : options_.working_dir);
}

Cli::Outcome Cli::run(const std::vector<std::string>& args, const std::string& what, bool stack_events) {
    process::Command command;
    command.argv.push_back(binary_.string());
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.cwd = options_.working_dir;
    command.env = {{"CDK_DISABLE_VERSION_CHECK", "1"},
                   {"CDK_DISABLE_CLI_TELEMETRY", "true"},
                   {"FORCE_COLOR", "0"},
                   {"NO_COLOR", "1"},
                   {"CI", "true"}};
    for (const auto& [k, v] : options_.env) command.env[k] = v;
    command.timeout = options_.timeout;
    command.grace = options_.grace;
    command.cancel = options_.cancel;

    auto stacks = std::make_shared<std::vector<StackResult>>();
    auto find = [stacks](const std::string& name) -> StackResult& {
        for (auto& s : *stacks)
            if (s.stack == name) return s;
        stacks->push_back(StackResult{name, "started", "", std::nullopt, std::nullopt, 0});
        return stacks->back();
    };
    // The lines after a stack's failure line (up to an empty one) carry the reason in some
    // CLI versions: they are added to its message.
    auto reason_of = std::make_shared<std::string>();
    command.on_line = [this, stack_events, find, reason_of, stacks](process::Stream stream, std::string_view line) {
        if (options_.on_output) options_.on_output(stream, line);
        if (!stack_events) return;
        const auto event = parse_output_line(line);
        if (!event) {
            if (reason_of->empty()) return;
            std::string text = trim(strip_ansi(line));
            if (text.rfind("‣", 0) == 0) text = trim(text.substr(std::string("‣").size()));
            if (text.empty()) {
                reason_of->clear();
                return;
            }
            for (auto& s : *stacks)
                if (s.stack == *reason_of && s.message.size() < 2000) s.message += (s.message.empty() ? "" : " ") + text;
            return;
        }
        reason_of->clear();
        StackResult& s = find(event->stack);
        switch (event->kind) {
            case StackEvent::Kind::started:
                if (!s.started) s.started = event->at;
                break;
            case StackEvent::Kind::resource: ++s.resource_events; break;
            case StackEvent::Kind::succeeded: s.status = "deployed"; s.finished = event->at; break;
            case StackEvent::Kind::no_changes: s.status = "no_changes"; s.finished = event->at; break;
            case StackEvent::Kind::destroyed: s.status = "destroyed"; s.finished = event->at; break;
            case StackEvent::Kind::failed:
                s.status = "failed";
                s.message = event->message;
                s.finished = event->at;
                *reason_of = s.stack;
                break;
        }
        if (!s.started) s.started = event->at;
        if (options_.on_event) options_.on_event(*event);
    };
    ++launches_;
    Outcome outcome{process::run(command), {}};
    outcome.stacks = *stacks;
    if (outcome.result.cancelled)
        throw CdkError(ErrorCode::cancelled, "cdk " + what + " was interrupted", {}, command.argv, outcome.result.exit_code,
                       outcome.stacks);
    if (outcome.result.timed_out)
        throw CdkError(ErrorCode::timeout, "cdk " + what + " timed out", {}, command.argv, outcome.result.exit_code, outcome.stacks);
    if (outcome.result.exit_code != 0) fail(what, command.argv, outcome);
    return outcome;
}

void Cli::fail(const std::string& what, const std::vector<std::string>& argv, const Outcome& outcome) {
    std::vector<std::string> failed;
    std::string reasons;
    for (const auto& s : outcome.stacks)
        if (s.status == "failed") {
            failed.push_back(s.stack);
            reasons += "\n  " + s.stack + ": " + s.message;
        }
    // No stack said "failed": the one that started and never finished is the culprit.
    if (failed.empty())
        for (const auto& s : outcome.stacks)
            if (s.status == "started") failed.push_back(s.stack);
    // The CLI's last error line ("❌ Deployment failed: ..." or a plain error) says why.
    std::string last;
    std::istringstream lines(outcome.result.err + "\n" + outcome.result.out);
    for (std::string line; std::getline(lines, line);) {
        line = trim(strip_ansi(line));
        if (line.find("❌") != std::string::npos || line.rfind("Error", 0) == 0 || line.find("Error:") != std::string::npos)
            last = line;
    }
    std::string message = "cdk " + what + " failed (exit " + std::to_string(outcome.result.exit_code) + ")";
    if (!failed.empty()) message += "; failed stack" + std::string(failed.size() > 1 ? "s: " : ": ") + join(failed);
    if (!reasons.empty()) {
        message += reasons;
        if (!last.empty() && reasons.find(last) == std::string::npos) message += "\n  " + last;
    } else if (!last.empty()) {
        message += ": " + last;
    }
    else {
        std::string tail = trim(outcome.result.err.empty() ? outcome.result.out : outcome.result.err);
        if (tail.size() > 600) tail = "..." + tail.substr(tail.size() - 600);
        message += ": " + tail;
    }
    throw CdkError(ErrorCode::engine_failed, message, failed, argv, outcome.result.exit_code, outcome.stacks);
}

std::string Cli::version() {
    const auto outcome = run({"--version"}, "--version", false);
    return trim(outcome.result.out);
}

std::vector<std::string> Cli::synth_argv(const SynthOptions& options) const {
    std::vector<std::string> argv{"synth"};
    argv.insert(argv.end(), options.stacks.begin(), options.stacks.end());
    append_app(argv, options);
    if (!options.output.empty()) {
        argv.emplace_back("--output");
        argv.push_back(options.output.string());
    }
    argv.insert(argv.end(), {"--quiet", "--no-notices", "--no-color"});
    return argv;
}

void Cli::synth(const SynthOptions& options) { run(synth_argv(options), "synth", false); }

json Cli::list(const ListOptions& options) {
    std::vector<std::string> argv{"list", "--long", "--show-dependencies", "--json"};
    append_app(argv, options);
    argv.insert(argv.end(), {"--no-notices", "--no-color"});
    const auto outcome = run(argv, "list", false);
    try {
        return json::parse(outcome.result.out);
    } catch (const json::parse_error& e) {
        throw Error(ErrorCode::parse_error, std::string("cdk list --json printed no JSON: ") + e.what());
    }
}

std::vector<std::string> Cli::deploy_argv(const DeployOptions& options) const {
    std::vector<std::string> argv{"deploy"};
    if (options.all) argv.emplace_back("--all");
    else argv.insert(argv.end(), options.stacks.begin(), options.stacks.end());
    append_app(argv, options);
    if (options.concurrency > 0) argv.insert(argv.end(), {"--concurrency", std::to_string(options.concurrency)});
    argv.insert(argv.end(), {"--require-approval", options.require_approval});
    if (options.exclusively) argv.emplace_back("--exclusively");
    if (!options.method.empty()) argv.insert(argv.end(), {"--method", options.method});
    if (!options.outputs_file.empty()) argv.insert(argv.end(), {"--outputs-file", options.outputs_file.string()});
    if (!options.rollback) argv.emplace_back("--no-rollback");
    if (!options.progress.empty()) argv.insert(argv.end(), {"--progress", options.progress});
    argv.insert(argv.end(), {"--no-notices", "--no-color"});
    return argv;
}

DeployResult Cli::deploy(const DeployOptions& options) {
    if (!options.all && options.stacks.empty())
        throw Error(ErrorCode::invalid_argument, "cdk deploy needs stacks or --all");
    if (!options.outputs_file.empty()) {
        std::error_code ec;
        fs::remove(options.outputs_file, ec);  // a stale file must not pass for this deploy's outputs
    }
    const auto outcome = run(deploy_argv(options), "deploy", true);
    DeployResult result;
    result.stacks = outcome.stacks;
    if (!options.outputs_file.empty()) result.outputs = read_outputs_file(options.outputs_file);
    return result;
}

std::vector<std::string> Cli::diff_argv(const DiffOptions& options) const {
    std::vector<std::string> argv{"diff"};
    argv.insert(argv.end(), options.stacks.begin(), options.stacks.end());
    append_app(argv, options);
    if (options.exclusively) argv.emplace_back("--exclusively");
    argv.insert(argv.end(), {"--no-notices", "--no-color"});
    return argv;
}

DiffResult Cli::diff(const DiffOptions& options) {
    const auto outcome = run(diff_argv(options), "diff", false);
    DiffResult result;
    result.text = strip_ansi(outcome.result.err + outcome.result.out);
    static const std::regex count(R"(Number of stacks with differences: (\d+))");
    std::smatch m;
    if (std::regex_search(result.text, m, count)) result.stacks_with_differences = std::stoi(m[1]);
    std::istringstream lines(result.text);
    for (std::string line; std::getline(lines, line);)
        if (trim(line).rfind("[-]", 0) == 0) ++result.removals;
    return result;
}

std::vector<std::string> Cli::destroy_argv(const DestroyOptions& options) const {
    std::vector<std::string> argv{"destroy"};
    if (options.all) argv.emplace_back("--all");
    else argv.insert(argv.end(), options.stacks.begin(), options.stacks.end());
    append_app(argv, options);
    if (options.exclusively) argv.emplace_back("--exclusively");
    argv.insert(argv.end(), {"--force", "--no-notices", "--no-color"});
    return argv;
}

std::vector<StackResult> Cli::destroy(const DestroyOptions& options) {
    if (!options.all && options.stacks.empty())
        throw Error(ErrorCode::invalid_argument, "cdk destroy needs stacks or --all");
    return run(destroy_argv(options), "destroy", true).stacks;
}

}  // namespace tfstage::cdk
