#include "rollout/rollout_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "address/address.hpp"
#include "rollout/graph.hpp"
#include "rollout/substitute.hpp"
#include "support/nearest.hpp"

namespace tfstage::rollout {
namespace {

namespace fs = std::filesystem;
using Keys = std::vector<std::string_view>;

const Keys top_level_keys = {"version", "name", "root", "roots", "environments", "stages", "converge"};
const Keys root_keys = {"path", "engine"};
const Keys environment_keys = {"workspace", "directory", "var_files", "vars",           "approval",
                               "policies",  "deadline",  "git",       "interrupt_grace"};
const Keys policy_keys = {"deny_delete", "max_changes", "require_approval_for_delete", "deny_resource_types"};
const Keys git_keys = {"require_clean", "require_branch", "require_up_to_date"};
const Keys stage_keys = {"name",  "apply",  "destroy",  "run",        "cdk",      "root",     "vars",    "approval",
                         "needs", "checks", "deadline", "on_failure", "rollback", "for_each", "wait",   "expected",
                         "watch"};
const Keys cdk_keys = {"dir",    "app",     "synth",  "deploy", "destroy", "concurrency",
                       "context", "method", "rollback", "cli",  "env"};
const Keys apply_keys = {"targets", "excludes"};
const Keys destroy_keys = {"targets"};
const Keys run_keys = {"argv", "env", "cwd", "timeout", "for_each", "wait"};
const Keys check_keys = {"name", "argv", "env", "cwd", "expect_exit", "retries", "interval", "timeout"};
const Keys rollback_keys = {"argv", "env", "cwd", "timeout"};

const char* const duration_hint = "a duration such as 90s, 5m, 1h30m or 250ms (or a number of seconds)";
const char* const known_placeholders = "${env}, ${workspace}, ${item} (in for_each stages), ${output.NAME}, ${output.STACK.KEY}";

// A node with where it was written and the key path that leads to it ("stages[2].needs").
struct Value {
    YAML::Node node;
    SourceLocation where;
    std::string path;

    bool is_null() const { return !node.IsDefined() || node.IsNull(); }
};

using Fields = std::map<std::string, Value>;

const Value* field(const Fields& fields, const std::string& key) {
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
}

std::string join_path(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string index_path(const std::string& path, std::size_t index) { return path + "[" + std::to_string(index) + "]"; }

const char* type_name(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return "nothing";
    if (node.IsMap()) return "a map";
    if (node.IsSequence()) return "a list";
    return "a scalar";
}

std::string join(const Keys& keys) {
    std::string out;
    for (auto key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
    return out;
}

bool is_simple_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

std::optional<ApprovalRule> approval_rule(const std::string& text) {
    if (text == "auto") return ApprovalRule::auto_approve;
    if (text == "manual") return ApprovalRule::manual;
    if (text == "manual-when-deleting") return ApprovalRule::manual_when_deleting;
    return std::nullopt;
}

std::optional<std::int64_t> digits_value(std::string_view text) {
    if (text.empty() || text.size() > 12) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    if (auto seconds = digits_value(text)) return std::chrono::seconds(*seconds);
    if (text.empty()) return std::nullopt;
    Duration total{0};
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t digits_end = pos;
        while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') ++digits_end;
        auto number = digits_value(text.substr(pos, digits_end - pos));
        std::size_t unit_end = digits_end;
        while (unit_end < text.size() && (text[unit_end] < '0' || text[unit_end] > '9')) ++unit_end;
        std::string_view unit = text.substr(digits_end, unit_end - digits_end);
        if (!number) return std::nullopt;
        if (unit == "ms") total += std::chrono::milliseconds(*number);
        else if (unit == "s") total += std::chrono::seconds(*number);
        else if (unit == "m") total += std::chrono::minutes(*number);
        else if (unit == "h") total += std::chrono::hours(*number);
        else return std::nullopt;
        pos = unit_end;
    }
    return total;
}

namespace {

// Reads one rollout document into the model, collecting every problem on the way.
class Reader {
public:
    Reader(std::string label, fs::path base_dir) : label_(std::move(label)), base_dir_(std::move(base_dir)) {}

    std::vector<Problem> problems;

    SourceLocation where(const YAML::Node& node) const {
        const YAML::Mark mark = node.Mark();
        if (mark.is_null()) return {label_, 0, 0};
        return {label_, mark.line + 1, mark.column + 1};
    }

    void report(const SourceLocation& at, const std::string& key, const std::string& message) {
        problems.push_back({at, key, message});
    }
    void report(const Value& value, const std::string& message) { report(value.where, value.path, message); }

    Value top(const YAML::Node& doc) const { return {doc, where(doc), ""}; }

    // ---- typed access; each reports and returns nullopt when the value has the wrong type

    // The entries of a map in file order. Values that are null are located at their key.
    std::optional<std::vector<std::pair<std::string, Value>>> entries(const Value& value, bool null_is_empty = false) {
        if (value.is_null() && null_is_empty) return std::vector<std::pair<std::string, Value>>{};
        if (!value.node.IsMap()) {
            report(value, std::string("expected a map, found ") + type_name(value.node));
            return std::nullopt;
        }
        std::vector<std::pair<std::string, Value>> out;
        std::map<std::string, int> first_line;
        for (const auto& item : value.node) {
            std::string key = item.first.IsScalar() ? item.first.Scalar() : "?";
            std::string path = join_path(value.path, key);
            if (auto [it, fresh] = first_line.emplace(key, where(item.first).line); !fresh) {
                report(where(item.first), path, "duplicate key (first written at line " + std::to_string(it->second) + ")");
                continue;
            }
            YAML::Node child = item.second;
            SourceLocation at = (child.IsNull() || child.Mark().is_null()) ? where(item.first) : where(child);
            out.push_back({key, Value{child, at, path}});
        }
        return out;
    }

    // A map with a fixed set of keys: unknown ones are reported, with the nearest known key.
    std::optional<Fields> fields(const Value& value, const Keys& known, bool null_is_empty = false) {
        auto items = entries(value, null_is_empty);
        if (!items) return std::nullopt;
        Fields out;
        for (auto& [key, child] : *items) {
            if (std::find(known.begin(), known.end(), key) != known.end()) {
                out.emplace(key, std::move(child));
                continue;
            }
            std::string message = "unknown key '" + key + "'";
            if (auto suggestion = nearest(key, known)) message += "; did you mean '" + std::string(*suggestion) + "'?";
            else message += " (known keys: " + join(known) + ")";
            report(where(value.node.IsMap() ? key_node(value.node, key) : value.node), child.path, message);
        }
        return out;
    }

    std::optional<std::string> string(const Value& value) {
        if (value.node.IsScalar() && !value.is_null()) return value.node.Scalar();
        report(value, std::string("expected a string, found ") + type_name(value.node));
        return std::nullopt;
    }

    std::optional<std::int64_t> integer(const Value& value) {
        std::int64_t out = 0;
        if (value.node.IsScalar() && YAML::convert<std::int64_t>::decode(value.node, out)) return out;
        report(value, std::string("expected an integer, found ") + describe(value.node));
        return std::nullopt;
    }

    std::optional<bool> boolean(const Value& value) {
        bool out = false;
        if (value.node.IsScalar() && YAML::convert<bool>::decode(value.node, out)) return out;
        report(value, std::string("expected a boolean (true or false), found ") + describe(value.node));
        return std::nullopt;
    }

    std::optional<Duration> duration(const Value& value) {
        if (value.node.IsScalar())
            if (auto parsed = parse_duration(value.node.Scalar())) return parsed;
        report(value, std::string("expected ") + duration_hint + ", found " + describe(value.node));
        return std::nullopt;
    }

    // The items of a list, each with its own location and path.
    std::optional<std::vector<Value>> items(const Value& value) {
        if (!value.node.IsSequence()) {
            report(value, std::string("expected a list, found ") + type_name(value.node));
            return std::nullopt;
        }
        std::vector<Value> out;
        for (std::size_t i = 0; i < value.node.size(); ++i) {
            YAML::Node child = value.node[i];
            out.push_back({child, child.Mark().is_null() ? value.where : where(child), index_path(value.path, i)});
        }
        return out;
    }

    // A list of strings; scalars such as 5 or true are taken as written.
    std::vector<std::string> strings(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : items(value).value_or(std::vector<Value>{}))
            if (auto text = string(item)) out.push_back(*text);
        return out;
    }

    std::map<std::string, std::string> string_map(const Value& value) {
        std::map<std::string, std::string> out;
        for (const auto& [key, child] : entries(value).value_or(std::vector<std::pair<std::string, Value>>{}))
            if (auto text = string(child)) out[key] = *text;
        return out;
    }

    fs::path resolve(const std::string& text) const { return (base_dir_ / text).lexically_normal(); }

    std::string describe(const YAML::Node& node) const {
        return node.IsScalar() ? "'" + node.Scalar() + "'" : type_name(node);
    }

private:
    static YAML::Node key_node(const YAML::Node& map, const std::string& key) {
        for (const auto& item : map)
            if (item.first.IsScalar() && item.first.Scalar() == key) return item.first;
        return map;
    }

    std::string label_;
    fs::path base_dir_;
};

// Builds the Rollout from a parsed document.
class RolloutBuilder {
public:
    RolloutBuilder(Reader& reader, Rollout& rollout) : r_(reader), rollout_(rollout) {}

    void build(const YAML::Node& doc) {
        Value top = r_.top(doc);
        if (top.is_null()) {
            r_.report({top.where.file, 0, 0}, "", "the file is empty; expected a map with version, roots, environments and stages");
            return;
        }
        if (!doc.IsMap()) {
            r_.report(top, std::string("expected a map at the top level (version, roots, environments, stages), found ") + type_name(doc));
            return;
        }
        auto fields = r_.fields(top, top_level_keys);
        if (!fields) return;
        read_version(top, *fields);
        if (auto* name = field(*fields, "name")) rollout_.name = r_.string(*name).value_or("");
        if (auto* converge = field(*fields, "converge")) rollout_.converge = r_.boolean(*converge).value_or(true);
        read_roots(*fields);
        if (auto* environments = require(top, *fields, "environments", "every run names one with -e"))
            read_environments(*environments);
        if (auto* stages = require(top, *fields, "stages", "a rollout is a list of stages")) read_stages(*stages);
        check_needs();
    }

private:
    const Value* require(const Value& map, const Fields& fields, const std::string& key, const std::string& why) {
        const Value* value = field(fields, key);
        if (!value) r_.report(map.where, join_path(map.path, key), "missing required key '" + key + "' (" + why + ")");
        return value;
    }

    void read_version(const Value& top, const Fields& fields) {
        const Value* version = require(top, fields, "version", "write version: 1");
        if (!version) return;
        auto number = r_.integer(*version);
        if (number && *number != 1)
            r_.report(*version, "unsupported version " + std::to_string(*number) + "; this tfstage reads version 1");
    }

    // ---- roots

    void read_roots(const Fields& fields) {
        const Value* shorthand = field(fields, "root");
        const Value* roots = field(fields, "roots");
        if (shorthand && roots) {
            r_.report(*shorthand, "write either 'root' (one root) or 'roots', not both");
            return;
        }
        if (shorthand) {
            if (auto path = r_.string(*shorthand)) add_root("main", r_.resolve(*path), "", *shorthand);
            return;
        }
        if (!roots) return;
        for (const auto& [name, value] : r_.entries(*roots).value_or(std::vector<std::pair<std::string, Value>>{})) read_root(name, value);
    }

    void read_root(const std::string& name, const Value& value) {
        check_name(value, name, "root");
        // `name: PATH` is accepted as well as `name: {path: PATH}`.
        if (value.node.IsScalar()) {
            if (auto path = r_.string(value)) add_root(name, r_.resolve(*path), "", value);
            return;
        }
        auto fields = r_.fields(value, root_keys);
        if (!fields) return;
        const Value* path = require(value, *fields, "path", "the directory of the root module");
        std::string engine;
        if (auto* engine_value = field(*fields, "engine")) engine = r_.string(*engine_value).value_or("");
        if (path)
            if (auto text = r_.string(*path)) add_root(name, r_.resolve(*text), engine, *path);
    }

    void add_root(const std::string& name, const fs::path& path, const std::string& engine, const Value& where) {
        std::error_code ec;
        if (!fs::is_directory(path, ec)) r_.report(where, "root directory " + path.string() + " does not exist");
        rollout_.roots.push_back({name, path, engine, where.where});
    }

    void check_name(const Value& value, const std::string& name, const std::string& what) {
        if (!is_simple_name(name)) r_.report(value, "invalid " + what + " name '" + name + "': use letters, digits, '_', '.' and '-'");
    }

    // ---- environments

    void read_environments(const Value& value) {
        auto items = r_.entries(value);
        if (!items) return;
        if (items->empty()) r_.report(value, "expected at least one environment");
        for (const auto& [name, child] : *items) read_environment(name, child);
    }

    void read_environment(const std::string& name, const Value& value) {
        check_name(value, name, "environment");
        Environment env;
        env.name = name;
        env.where = value.where;
        auto fields = r_.fields(value, environment_keys, true);
        if (!fields) return;
        if (auto* v = field(*fields, "workspace")) env.workspace = r_.string(*v).value_or("");
        if (auto* v = field(*fields, "directory")) env.directory = r_.string(*v).value_or("");
        if (field(*fields, "workspace") && field(*fields, "directory"))
            r_.report(*field(*fields, "directory"), "an environment is a workspace or a directory, not both");
        if (auto* v = field(*fields, "var_files")) read_var_files(*v, env);
        if (auto* v = field(*fields, "vars")) env.vars = r_.string_map(*v);
        if (auto* v = field(*fields, "approval")) env.approval = read_approval(*v).value_or(env.approval);
        if (auto* v = field(*fields, "policies")) env.policies = read_policies(*v);
        if (auto* v = field(*fields, "deadline")) env.deadline = r_.duration(*v);
        if (auto* v = field(*fields, "interrupt_grace")) env.interrupt_grace = read_interrupt_grace(*v);
        if (auto* v = field(*fields, "git")) env.git = read_git(*v);
        check_environment_directory(env, field(*fields, "directory"));
        rollout_.environments.push_back(std::move(env));
    }

    // Terraform needs seconds to save its state and release the lock after SIGINT; more than an
    // hour is a typo (90h for 90s), not a grace period.
    std::optional<Duration> read_interrupt_grace(const Value& value) {
        auto grace = r_.duration(value);
        if (!grace) return std::nullopt;
        if (*grace < std::chrono::seconds(1) || *grace > std::chrono::hours(1)) {
            r_.report(value, "interrupt_grace must be between 1s and 1h (Terraform needs time to save its state and "
                             "release the lock after SIGINT; the default is 60s)");
            return std::nullopt;
        }
        return grace;
    }

    // Relative var files start at the rollout file's directory, whatever the environment's
    // directory, so that one file can serve every root.
    void read_var_files(const Value& value, Environment& env) {
        for (const auto& item : r_.items(value).value_or(std::vector<Value>{})) {
            auto text = r_.string(item);
            if (!text) continue;
            fs::path path = r_.resolve(*text);
            std::error_code ec;
            if (!fs::is_regular_file(path, ec)) r_.report(item, "var file " + path.string() + " not found (relative paths start at the rollout file's directory)");
            env.var_files.push_back(path);
        }
    }

    void check_environment_directory(const Environment& env, const Value* where) {
        if (!where || env.directory.empty()) return;
        for (const auto& root : rollout_.roots) {
            std::error_code ec;
            if (fs::is_directory(root.path, ec) && !fs::is_directory(root.path / env.directory, ec))
                r_.report(*where, "directory " + env.directory.string() + " does not exist in root '" + root.name + "' (" + root.path.string() + ")");
        }
    }

    std::optional<ApprovalRule> read_approval(const Value& value) {
        auto text = r_.string(value);
        if (!text) return std::nullopt;
        auto rule = approval_rule(*text);
        if (!rule) r_.report(value, "unknown approval rule '" + *text + "'; expected auto, manual or manual-when-deleting");
        return rule;
    }

    // The rules and checks of plan::parse_policy_yaml, with lines.
    plan::PolicyRules read_policies(const Value& value) {
        plan::PolicyRules rules;
        auto fields = r_.fields(value, policy_keys, true);
        if (!fields) return rules;
        if (auto* v = field(*fields, "deny_delete")) rules.deny_delete = patterns(*v);
        if (auto* v = field(*fields, "deny_resource_types")) rules.deny_resource_types = r_.strings(*v);
        if (auto* v = field(*fields, "require_approval_for_delete")) rules.require_approval_for_delete = r_.boolean(*v).value_or(false);
        if (auto* v = field(*fields, "max_changes")) {
            auto n = r_.integer(*v);
            if (n && *n < 0) r_.report(*v, "expected a non-negative integer");
            else if (n) rules.max_changes = n;
        }
        return rules;
    }

    std::vector<std::string> patterns(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : r_.items(value).value_or(std::vector<Value>{})) {
            auto text = r_.string(item);
            if (!text) continue;
            try {
                address::parse_pattern(*text);
            } catch (const address::AddressError& e) {
                r_.report(item, e.what());
            }
            out.push_back(*text);
        }
        return out;
    }

    GitGuards read_git(const Value& value) {
        GitGuards git;
        auto fields = r_.fields(value, git_keys, true);
        if (!fields) return git;
        if (auto* v = field(*fields, "require_clean")) git.require_clean = r_.boolean(*v).value_or(false);
        if (auto* v = field(*fields, "require_branch")) git.require_branch = r_.string(*v).value_or("");
        if (auto* v = field(*fields, "require_up_to_date")) git.require_up_to_date = r_.boolean(*v).value_or(false);
        return git;
    }

    // ---- stages

    void read_stages(const Value& value) {
        auto items = r_.items(value);
        if (!items) return;
        if (items->empty()) r_.report(value, "expected at least one stage");
        for (const auto& item : *items) read_stage(item);
    }

    void read_stage(const Value& value) {
        Stage stage;
        stage.where = value.where;
        auto fields = r_.fields(value, stage_keys);
        if (!fields) return;
        read_stage_name(value, *fields, stage);
        read_stage_body(value, *fields, stage);
        if (auto* v = field(*fields, "root")) stage.root = r_.string(*v).value_or("");
        if (auto* v = field(*fields, "vars")) stage.vars = r_.string_map(*v);
        if (auto* v = field(*fields, "approval")) stage.approval = read_approval(*v);
        if (auto* v = field(*fields, "needs")) read_needs(*v, stage);
        if (auto* v = field(*fields, "checks")) read_checks(*v, stage);
        if (auto* v = field(*fields, "deadline")) stage.deadline = r_.duration(*v);
        if (auto* v = field(*fields, "watch"))
            for (const auto& path : r_.strings(*v)) stage.watch.push_back(r_.resolve(path));
        if (auto* v = field(*fields, "expected")) stage.expected = r_.duration(*v);
        read_failure_handling(*fields, stage);
        check_terraform_only(*fields, stage);
        resolve_stage_root(value, *fields, stage);
        stage_needs_at_.push_back(field(*fields, "needs") ? field(*fields, "needs")->where : value.where);
        stage_paths_.push_back(value.path);
        rollout_.stages.push_back(std::move(stage));
    }

    void read_stage_name(const Value& value, const Fields& fields, Stage& stage) {
        const Value* name = require(value, fields, "name", "every stage has a unique name");
        if (!name) return;
        auto text = r_.string(*name);
        if (!text) return;
        stage.name = *text;
        if (!is_simple_name(*text)) {
            r_.report(*name, "invalid stage name '" + *text + "': use letters, digits, '_', '.' and '-'");
        } else if (auto [it, fresh] = stage_lines_.emplace(*text, name->where.line); !fresh) {
            r_.report(*name, "duplicate stage name '" + *text + "' (first used at line " + std::to_string(it->second) + ")");
        }
    }

    // Exactly one of apply, destroy and run says what the stage does.
    void read_stage_body(const Value& value, const Fields& fields, Stage& stage) {
        std::vector<std::string> bodies;
        for (const char* kind : {"apply", "destroy", "run", "cdk"})
            if (field(fields, kind)) bodies.emplace_back(kind);
        if (bodies.empty()) {
            // A misspelt `aply:` has been reported already; one typo, one message.
            if (!misspells_a_body(value)) r_.report(value, "a stage needs one of apply, destroy, run or cdk");
            return;
        }
        if (bodies.size() > 1) {
            r_.report(*field(fields, bodies[1]), "a stage does one thing: found both " + bodies[0] + " and " + bodies[1]);
            return;
        }
        if (bodies[0] == "apply") read_apply(*field(fields, "apply"), stage);
        else if (bodies[0] == "destroy") read_destroy(*field(fields, "destroy"), stage);
        else if (bodies[0] == "cdk") read_cdk(*field(fields, "cdk"), stage);
        else read_run(*field(fields, "run"), fields, stage);
    }

    static bool misspells_a_body(const Value& value) {
        for (const auto& item : value.node) {
            if (!item.first.IsScalar()) continue;
            const std::string& key = item.first.Scalar();
            if (std::find(stage_keys.begin(), stage_keys.end(), key) != stage_keys.end()) continue;
            auto suggestion = nearest(key, stage_keys);
            if (suggestion && (*suggestion == "apply" || *suggestion == "destroy" || *suggestion == "run" || *suggestion == "cdk"))
                return true;
        }
        return false;
    }

    // `apply: {}`, `apply: all` or an empty `apply:` mean an untargeted apply.
    void read_apply(const Value& value, Stage& stage) {
        stage.kind = StageKind::apply;
        if (value.is_null()) return;
        if (value.node.IsScalar()) {
            if (value.node.Scalar() != "all")
                r_.report(value, "expected a map with targets and excludes, {} or 'all', found '" + value.node.Scalar() + "'");
            return;
        }
        auto fields = r_.fields(value, apply_keys);
        if (!fields) return;
        if (auto* v = field(*fields, "targets")) stage.targets = addresses(*v);
        if (auto* v = field(*fields, "excludes")) stage.excludes = addresses(*v);
    }

    void read_destroy(const Value& value, Stage& stage) {
        stage.kind = StageKind::destroy;
        auto fields = r_.fields(value, destroy_keys, true);
        if (!fields) return;
        const Value* targets = require(value, *fields, "targets", "tfstage destroys named addresses only, never a whole root");
        if (targets) stage.targets = addresses(*targets);
        if (targets && targets->node.IsSequence() && targets->node.size() == 0) r_.report(*targets, "expected at least one target");
    }

    // Targets go to Terraform as -target/-exclude: exact addresses only.
    std::vector<std::string> addresses(const Value& value) {
        std::vector<std::string> out;
        for (const auto& item : r_.items(value).value_or(std::vector<Value>{})) {
            auto text = r_.string(item);
            if (!text) continue;
            check_address(item, *text);
            out.push_back(*text);
        }
        return out;
    }

    void check_address(const Value& item, const std::string& text) {
        try {
            address::parse(text);
        } catch (const address::AddressError& e) {
            if (e.kind() == address::AddressError::Kind::bare_type)
                r_.report(item, "'" + text + "' is a bare resource type, which Terraform rejects as a target (it needs TYPE.NAME or a module): "
                                "write the addresses it stands for, such as '" + text + ".NAME', or target the module that holds them");
            else
                r_.report(item, e.what());
        }
    }

    // cdk: {dir, app, synth, deploy, destroy, concurrency, context, method, rollback, cli, env}
    void read_cdk(const Value& value, Stage& stage) {
        stage.kind = StageKind::cdk;
        CdkStage& cdk = stage.cdk;
        cdk.dir = r_.resolve(".");
        auto fields = r_.fields(value, cdk_keys);
        if (!fields) return;
        if (auto* v = field(*fields, "dir")) {
            if (auto text = r_.string(*v)) {
                cdk.dir = r_.resolve(*text);
                std::error_code ec;
                if (!fs::is_directory(cdk.dir, ec))
                    r_.report(*v, "the CDK app directory " + cdk.dir.string() + " does not exist (relative paths start at the rollout file's directory)");
            }
        }
        if (auto* v = field(*fields, "app")) cdk.app = r_.string(*v).value_or("");
        if (auto* v = field(*fields, "synth")) {
            // `synth: DIR` synthesizes into DIR (relative to the app's directory); `synth: true` into cdk.out.
            if (v->node.IsScalar() && (v->node.Scalar() == "true" || v->node.Scalar() == "false")) {
                if (v->node.Scalar() == "true") cdk.synth = (cdk.dir / "cdk.out").lexically_normal();
            } else if (auto text = r_.string(*v)) {
                cdk.synth = (cdk.dir / *text).lexically_normal();
            }
        }
        if (auto* v = field(*fields, "deploy")) cdk.deploy = stack_names(*v);
        if (auto* v = field(*fields, "destroy")) cdk.destroy = stack_names(*v);
        if (!cdk.deploy.empty() && !cdk.destroy.empty())
            r_.report(*field(*fields, "destroy"), "a cdk stage deploys or destroys, not both: write two stages");
        if (cdk.synth.empty() && !field(*fields, "deploy") && !field(*fields, "destroy"))
            r_.report(value, "a cdk stage needs synth, deploy or destroy");
        if (auto* v = field(*fields, "concurrency")) cdk.concurrency = bounded(*v, 1, 100).value_or(0);
        if (auto* v = field(*fields, "context")) cdk.context = r_.string_map(*v);
        if (auto* v = field(*fields, "method")) {
            cdk.method = r_.string(*v).value_or("");
            if (!cdk.method.empty() && cdk.method != "direct" && cdk.method != "change-set" && cdk.method != "prepare-change-set")
                r_.report(*v, "unknown method '" + cdk.method + "'; expected direct, change-set or prepare-change-set");
        }
        if (auto* v = field(*fields, "rollback")) cdk.rollback = r_.boolean(*v).value_or(true);
        if (auto* v = field(*fields, "cli")) cdk.cli = r_.string(*v).value_or("");
        if (auto* v = field(*fields, "env"))
            for (const auto& [key, child] : r_.entries(*v).value_or(std::vector<std::pair<std::string, Value>>{}))
                if (auto text = checked_string(child, false)) cdk.env[key] = *text;
    }

    std::vector<std::string> stack_names(const Value& value) {
        std::vector<std::string> out;
        auto items = r_.items(value);
        if (!items) return out;
        if (items->empty()) r_.report(value, "expected at least one stack name");
        for (const auto& item : *items) {
            auto text = r_.string(item);
            if (!text) continue;
            if (text->empty() || text->find_first_of(" \t*") != std::string::npos)
                r_.report(item, "'" + *text + "' is not a stack name (write each stack's name or display name; patterns are not taken)");
            out.push_back(*text);
        }
        return out;
    }

    void read_run(const Value& value, const Fields& stage_fields, Stage& stage) {
        stage.kind = StageKind::command;
        auto fields = r_.fields(value, run_keys);
        if (!fields) return;
        // for_each and wait belong to run:, and may also be written next to it.
        const Value* for_each = pick(field(*fields, "for_each"), field(stage_fields, "for_each"));
        const Value* wait = pick(field(*fields, "wait"), field(stage_fields, "wait"));
        if (for_each) {
            stage.for_each = r_.strings(*for_each);
            if (for_each->node.IsSequence() && for_each->node.size() == 0) r_.report(*for_each, "expected at least one value");
        }
        if (wait) stage.wait = r_.duration(*wait).value_or(Duration{0});
        stage.command = read_command(value, *fields, for_each != nullptr);
    }

    const Value* pick(const Value* in_run, const Value* in_stage) {
        if (in_run && in_stage) r_.report(*in_stage, "written twice: here and in run");
        return in_run ? in_run : in_stage;
    }

    // argv, env and cwd of a command, each string checked for unknown placeholders.
    CommandSpec read_command(const Value& value, const Fields& fields, bool in_for_each) {
        CommandSpec command;
        command.where = value.where;
        if (const Value* argv = require(value, fields, "argv", "the program and its arguments, as a list")) {
            for (const auto& item : r_.items(*argv).value_or(std::vector<Value>{}))
                if (auto text = checked_string(item, in_for_each)) command.argv.push_back(*text);
            if (argv->node.IsSequence() && argv->node.size() == 0) r_.report(*argv, "expected at least the program");
        }
        if (auto* v = field(fields, "env"))
            for (const auto& [key, child] : r_.entries(*v).value_or(std::vector<std::pair<std::string, Value>>{}))
                if (auto text = checked_string(child, in_for_each)) command.env[key] = *text;
        if (auto* v = field(fields, "cwd"))
            if (auto text = checked_string(*v, in_for_each)) command.cwd = r_.resolve(*text);
        if (auto* v = field(fields, "timeout")) command.timeout = r_.duration(*v).value_or(Duration{0});
        return command;
    }

    std::optional<std::string> checked_string(const Value& value, bool in_for_each) {
        auto text = r_.string(value);
        if (text) check_placeholders_in(*text, value, in_for_each);
        return text;
    }

    void check_placeholders_in(const std::string& text, const Value& value, bool in_for_each) {
        std::vector<std::string> names;
        try {
            names = placeholders(text);
        } catch (const Error& e) {
            r_.report(value, e.what());
            return;
        }
        for (const auto& name : names) {
            if (is_known_placeholder(name, in_for_each)) continue;
            if (name == "item") r_.report(value, "${item} is only set in a stage with for_each");
            else r_.report(value, "unknown placeholder '${" + name + "}' (known: " + known_placeholders + ")");
        }
    }

    void read_needs(const Value& value, Stage& stage) {
        stage.needs_written = true;
        if (value.node.IsScalar() && !value.is_null()) {
            stage.needs = {value.node.Scalar()};
            return;
        }
        if (!value.node.IsSequence()) {
            r_.report(value, std::string("expected a stage name or a list of them, found ") + type_name(value.node));
            return;
        }
        stage.needs = r_.strings(value);
    }

    void read_checks(const Value& value, Stage& stage) {
        // The run body is read first, so for_each is known: checks of a for_each stage may use ${item}.
        bool in_for_each = !stage.for_each.empty();
        auto items = r_.items(value);
        if (!items) return;
        for (std::size_t i = 0; i < items->size(); ++i) {
            const Value& item = (*items)[i];
            auto fields = r_.fields(item, check_keys);
            if (!fields) continue;
            Check check;
            check.where = item.where;
            check.name = "check " + std::to_string(i + 1);
            if (auto* v = field(*fields, "name")) check.name = r_.string(*v).value_or(check.name);
            check.command = read_command(item, *fields, in_for_each);
            if (auto* v = field(*fields, "expect_exit")) check.expect_exit = bounded(*v, 0, 255).value_or(0);
            if (auto* v = field(*fields, "retries")) check.retries = bounded(*v, 0, 1000).value_or(0);
            if (auto* v = field(*fields, "interval")) check.interval = r_.duration(*v).value_or(check.interval);
            stage.checks.push_back(std::move(check));
        }
    }

    std::optional<int> bounded(const Value& value, int low, int high) {
        auto n = r_.integer(value);
        if (!n) return std::nullopt;
        if (*n < low || *n > high) {
            r_.report(value, "expected an integer from " + std::to_string(low) + " to " + std::to_string(high));
            return std::nullopt;
        }
        return static_cast<int>(*n);
    }

    // Rollback steps imply on_failure: rollback unless it says otherwise.
    void read_failure_handling(const Fields& fields, Stage& stage) {
        const Value* steps = field(fields, "rollback");
        // `rollback: false`: `tfstage rollback` leaves this stage alone (a data store); a
        // boolean says only that, a list gives the steps to run when the stage fails.
        if (steps && steps->node.IsScalar() && !steps->is_null()) {
            stage.rollback_allowed = r_.boolean(*steps).value_or(true);
            steps = nullptr;
        } else if (steps) {
            read_rollback(*steps, stage);
        }
        const Value* on_failure = field(fields, "on_failure");
        if (!on_failure) {
            if (!stage.rollback.empty()) stage.on_failure = OnFailure::rollback;
            return;
        }
        auto text = r_.string(*on_failure);
        if (!text) return;
        if (*text == "stop") stage.on_failure = OnFailure::stop;
        else if (*text == "rollback") stage.on_failure = OnFailure::rollback;
        else r_.report(*on_failure, "expected stop or rollback, found '" + *text + "'");
        if (stage.on_failure == OnFailure::rollback && !steps)
            r_.report(*on_failure, "on_failure: rollback needs rollback steps (a 'rollback' list of commands)");
    }

    void read_rollback(const Value& value, Stage& stage) {
        for (const auto& item : r_.items(value).value_or(std::vector<Value>{})) {
            auto fields = r_.fields(item, rollback_keys);
            if (!fields) continue;
            stage.rollback.push_back(read_command(item, *fields, false));
        }
    }

    // Keys that only make sense for one kind of stage.
    void check_terraform_only(const Fields& fields, const Stage& stage) {
        if (stage.kind == StageKind::cdk) {
            for (const char* key : {"for_each", "wait"})
                if (auto* v = field(fields, key)) r_.report(*v, std::string(key) + " is only for run stages");
            if (auto* v = field(fields, "vars"))
                r_.report(*v, "vars is only for apply and destroy stages (a cdk stage takes cdk.context)");
        } else if (stage.kind != StageKind::command) {
            for (const char* key : {"for_each", "wait"})
                if (auto* v = field(fields, key)) r_.report(*v, std::string(key) + " is only for run stages");
        } else {
            for (const char* key : {"vars", "approval"})
                if (auto* v = field(fields, key)) r_.report(*v, std::string(key) + " is only for apply and destroy stages");
        }
    }

    // apply/destroy stages need a root: the named one, or the only one. Command stages take
    // the only root too, whose outputs ${output.NAME} reads.
    void resolve_stage_root(const Value& value, const Fields& fields, Stage& stage) {
        const Value* written = field(fields, "root");
        bool terraform = uses_terraform(stage);
        if (written) {
            if (!stage.root.empty() && !rollout_.find_root(stage.root))
                r_.report(*written, "unknown root '" + stage.root + "'" + root_list());
            return;
        }
        if (rollout_.roots.size() == 1) {
            stage.root = rollout_.roots.front().name;
        } else if (terraform && rollout_.roots.empty()) {
            r_.report(value, std::string(stage.kind == StageKind::apply ? "apply" : "destroy") +
                                 " needs a root, and the file defines none (add 'root: PATH' or 'roots:')");
        } else if (terraform) {
            r_.report(value.where, join_path(value.path, "root"), "missing required key 'root' (the file has several roots" + root_list() + ")");
        }
    }

    std::string root_list() const {
        std::string out;
        for (const auto& root : rollout_.roots) out += (out.empty() ? "" : ", ") + root.name;
        return out.empty() ? " (the file defines no roots)" : " (roots: " + out + ")";
    }

    // Unknown stages in needs, then cycles; then the defaults are filled in for the executor.
    void check_needs() {
        auto& stages = rollout_.stages;
        for (std::size_t i = 0; i < stages.size(); ++i)
            for (const auto& need : stages[i].needs)
                if (!rollout_.find_stage(need)) r_.report(stage_needs_at_[i], stage_paths_[i] + ".needs", unknown_stage(need));
        StageGraph graph(stages);
        for (const auto& cycle : graph.cycles()) {
            std::size_t first = static_cast<std::size_t>(std::find_if(stages.begin(), stages.end(), [&](const Stage& s) { return s.name == cycle.front(); }) - stages.begin());
            r_.report(stage_needs_at_[first], stage_paths_[first] + ".needs", "the needs form a cycle: " + describe_cycle(cycle));
        }
        for (std::size_t i = 0; i < stages.size(); ++i) stages[i].needs = resolved_needs(stages, i);
    }

    std::string unknown_stage(const std::string& need) const {
        Keys names;
        for (const auto& stage : rollout_.stages) names.push_back(stage.name);
        std::string message = "unknown stage '" + need + "' in needs";
        if (auto suggestion = nearest(need, names)) return message + "; did you mean '" + std::string(*suggestion) + "'?";
        return message + " (stages: " + join(names) + ")";
    }

    Reader& r_;
    Rollout& rollout_;
    std::map<std::string, int> stage_lines_;       // stage name -> line of its first use
    std::vector<SourceLocation> stage_needs_at_;  // per stage: where its needs (or itself) is written
    std::vector<std::string> stage_paths_;        // per stage: "stages[i]"
};

}  // namespace

Rollout parse_rollout(std::string_view text, const std::filesystem::path& file) {
    Rollout rollout;
    rollout.file = fs::absolute(file).lexically_normal();
    rollout.base_dir = rollout.file.parent_path();
    Reader reader(file.string(), rollout.base_dir);
    YAML::Node doc;
    try {
        doc = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
        throw ValidationError({Problem{{file.string(), e.mark.line + 1, e.mark.column + 1}, "", "not valid YAML or JSON: " + e.msg}});
    }
    RolloutBuilder(reader, rollout).build(doc);
    if (!reader.problems.empty()) throw ValidationError(std::move(reader.problems));
    return rollout;
}

Rollout load_rollout_file(const std::filesystem::path& file) {
    // A directory opens (and reads as nothing) on Linux: say what it is, not "the file is empty".
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
        throw Error(ErrorCode::not_found, "cannot read the rollout file " + file.string() + ": it is a directory, not a file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read the rollout file " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return parse_rollout(text.str(), file);
}

}  // namespace tfstage::rollout
