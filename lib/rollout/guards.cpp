#include "rollout/guards.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

std::string list(const std::vector<std::string>& items, std::size_t max = 20) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > max) out += " and " + std::to_string(items.size() - max) + " more";
    return out;
}

}  // namespace

std::optional<git::Provenance> rollout_provenance(const Rollout& rollout, const Environment& environment) {
    std::vector<fs::path> dirs;
    for (const auto& root : rollout.roots)
        dirs.push_back(environment.directory.empty() ? root.path : root.path / environment.directory);
    std::vector<fs::path> extras(dirs.size() > 1 ? dirs.begin() + 1 : dirs.end(), dirs.end());
    for (const auto& file : environment.var_files) extras.push_back(file);
    extras.push_back(rollout.file);
    const fs::path start = dirs.empty() ? rollout.base_dir : dirs.front();
    if (auto p = git::provenance_of(start, extras)) return p;
    if (!dirs.empty()) return git::provenance_of(rollout.base_dir, extras);
    return std::nullopt;
}

GuardResult evaluate_guards(const GitGuards& guards, const std::optional<git::Provenance>& p,
                            const GuardOverrides& overrides) {
    GuardResult result;
    auto judge = [&](const char* guard, bool overridden, const char* flag, const std::string& message) {
        if (overridden)
            result.warnings.push_back({{"guard", guard}, {"override", flag}, {"message", message}});
        else
            result.refusals.push_back(message + " (" + flag + " overrides)");
    };
    if (guards.require_clean) {
        if (!p) {
            judge("require_clean", overrides.allow_dirty, "--allow-dirty",
                  "require_clean: the configuration is not in a git repository");
        } else if (p->dirty) {
            std::string message = "require_clean: the working tree of " + p->repository + " has changes:";
            if (!p->modified.empty()) message += " modified: " + list(p->modified) + ";";
            if (!p->untracked.empty()) message += " untracked: " + list(p->untracked) + ";";
            message.pop_back();
            judge("require_clean", overrides.allow_dirty, "--allow-dirty", message);
        }
    }
    if (!guards.require_branch.empty()) {
        if (!p) {
            judge("require_branch", overrides.allow_branch, "--allow-branch",
                  "require_branch " + guards.require_branch + ": the configuration is not in a git repository");
        } else if (p->detached || p->branch != guards.require_branch) {
            const std::string where = p->detached ? "a detached HEAD at " + p->commit.substr(0, 12) : "branch " + p->branch;
            judge("require_branch", overrides.allow_branch, "--allow-branch",
                  "require_branch: the environment deploys from branch " + guards.require_branch + ", and HEAD is " + where);
        }
    }
    if (guards.require_up_to_date) {
        if (!p) {
            judge("require_up_to_date", overrides.allow_behind, "--allow-behind",
                  "require_up_to_date: the configuration is not in a git repository");
        } else if (p->upstream.empty()) {
            judge("require_up_to_date", overrides.allow_behind, "--allow-behind",
                  "require_up_to_date: " + (p->detached ? std::string("a detached HEAD") : "branch " + p->branch) +
                      " has no upstream to compare with (git branch --set-upstream-to)");
        } else if (p->behind > 0) {
            judge("require_up_to_date", overrides.allow_behind, "--allow-behind",
                  "require_up_to_date: " + p->branch + " is " + std::to_string(p->behind) + " commit(s) behind " +
                      p->upstream + " (as last fetched): " + list(p->behind_commits, 10) +
                      "; pull them first");
        }
    }
    return result;
}

}  // namespace tfstage::rollout
