#include "rollout/model.hpp"

#include <algorithm>

namespace tfstage::rollout {
namespace {

template <typename T>
const T* find_by_name(const std::vector<T>& items, const std::string& name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
    return it == items.end() ? nullptr : &*it;
}

std::string join_lines(const std::vector<Problem>& problems) {
    std::string out;
    for (const auto& problem : problems) {
        if (!out.empty()) out += '\n';
        out += problem.str();
    }
    return out;
}

}  // namespace

std::filesystem::path CdkStage::assembly_dir() const {
    if (!synth.empty()) return synth;
    if (app.empty() || app.find(' ') != std::string::npos) return {};
    const std::filesystem::path path = std::filesystem::path(app).is_absolute() ? std::filesystem::path(app) : dir / app;
    std::error_code ec;
    return std::filesystem::is_directory(path, ec) ? path.lexically_normal() : std::filesystem::path();
}

bool uses_terraform(const Stage& stage) { return stage.kind == StageKind::apply || stage.kind == StageKind::destroy; }

const Root* Rollout::find_root(const std::string& root_name) const { return find_by_name(roots, root_name); }

const Environment* Rollout::find_environment(const std::string& environment_name) const {
    return find_by_name(environments, environment_name);
}

const Stage* Rollout::find_stage(const std::string& stage_name) const { return find_by_name(stages, stage_name); }

const char* stage_kind_word(StageKind kind) {
    switch (kind) {
        case StageKind::apply: return "apply";
        case StageKind::destroy: return "destroy";
        case StageKind::command: return "command";
        case StageKind::cdk: return "cdk";
    }
    return "apply";
}

Diagnostic to_diagnostic(const Problem& problem) {
    return {"error", problem.message, "", problem.where.file, problem.where.line, problem.where.column, problem.key};
}

std::string Problem::str() const {
    std::string out = where.file;
    if (where.line > 0) out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
    out += ": ";
    if (!key.empty()) out += key + ": ";
    return out + message;
}

ValidationError::ValidationError(std::vector<Problem> problems)
    : Error(ErrorCode::invalid_argument, join_lines(problems)), problems_(std::move(problems)) {}

}  // namespace tfstage::rollout
