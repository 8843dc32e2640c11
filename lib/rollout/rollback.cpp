// `tfstage rollback RUN`: back to the configuration of the last good commit.
//
// 1. The last successful run (kind run or rollback) before RUN, in the same environment and of
//    the same rollout file, names the commit to go back to.
// 2. That commit's files are written with libgit2 into a fresh temporary directory; the user's
//    working tree, index and HEAD are never touched.
// 3. Each root of the rollout is taken from that tree, in the same workspace and with the same
//    backend. The state must be the real one: a remote backend is the same by configuration;
//    for the local backend (Terraform's default) the tree's root gets symbolic links to the
//    user's root's terraform.tfstate and terraform.tfstate.d, so that Terraform reads, locks
//    and writes the real state files in place. (A local backend with its own relative `path`
//    is not followed: docs/rollout-file.md says so.)
// 4. RUN's stages that ran are planned in reverse order against the old configuration and go
//    through the same gates; command stages and stages marked `rollback: false` are skipped and
//    reported. Checks and on-failure steps are not run: they belong to the new configuration.
// 5. The run is journaled with kind "rollback"; the temporary tree is removed afterwards.
#include <stdlib.h>

#include <algorithm>

#include "git/git.hpp"
#include "rollout/graph.hpp"
#include "rollout/journal.hpp"
#include "rollout/lock.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/runner.hpp"
#include "support/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// A stage of RUN that may have changed something.
bool ran(const std::string& status) {
    return !status.empty() && status != stage_status::pending && status != stage_status::skipped &&
           status != stage_status::awaiting_approval && status != stage_status::policy_violation;
}

fs::path make_temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "tfstage-rollback-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(ErrorCode::io, "cannot create a temporary directory under " + fs::temp_directory_path().string());
    return pattern;
}

// Removes the tree when the rollback is over (the links to the real state are removed, never
// followed).
struct TreeGuard {
    fs::path dir;
    ~TreeGuard() {
        std::error_code ec;
        if (!dir.empty() && std::getenv("TFSTAGE_KEEP_ROLLBACK_TREE") == nullptr) fs::remove_all(dir, ec);
    }
};

}  // namespace

RunResult rollback_run(const fs::path& state_dir, const std::string& run_id, RunOptions options) {
    const json bad = Journal::open(state_dir, run_id).snapshot();
    if (bad.value("kind", "run") == "plan")
        throw Error(ErrorCode::invalid_argument, "run " + run_id + " was a plan: it applied nothing to roll back");
    const std::string environment = bad.value("environment", "");
    const std::string file = bad.value("rollout_file", "");

    // 1. The last good run before it.
    json good;
    for (const auto& run : Journal::history(state_dir)) {
        const std::string id = run.value("run", "");
        if (id >= run_id) break;  // run ids sort by time
        if (run.value("environment", "") != environment || run.value("rollout_file", "") != file) continue;
        const std::string kind = run.value("kind", "run");
        if ((kind != "run" && kind != "rollback") || run.value("status", "") != run_status::succeeded) continue;
        good = run;
    }
    if (good.is_null())
        throw Error(ErrorCode::not_found, "there is no successful run of environment '" + environment + "' before run " + run_id +
                                              " in " + state_dir.string() + ": nothing to roll back to");
    const std::string good_id = good.value("run", "");
    const json good_git = good.value("git", json());
    const std::string commit = good_git.is_object() ? good_git.value("commit", "") : "";
    if (commit.empty())
        throw Error(ErrorCode::not_found, "run " + good_id + ", the last successful run before " + run_id +
                                              ", recorded no git commit (it ran outside a git repository): "
                                              "there is no configuration to roll back to");

    Rollout rollout = load_rollout_file(file);
    auto env_it = std::find_if(rollout.environments.begin(), rollout.environments.end(),
                               [&](const Environment& e) { return e.name == environment; });
    Environment* env = env_it == rollout.environments.end() ? nullptr : &*env_it;
    if (env == nullptr)
        throw Error(ErrorCode::invalid_argument, "the rollout file " + file + " no longer has environment '" + environment + "'");
    std::optional<git::Repository> repo = git::Repository::discover(rollout.base_dir);
    for (std::size_t i = 0; !repo && i < rollout.roots.size(); ++i) repo = git::Repository::discover(rollout.roots[i].path);
    if (!repo) throw Error(ErrorCode::not_found, "the rollout file " + file + " is not in a git repository any more");
    const fs::path workdir = repo->workdir();
    json warnings = json::array();
    if (good_git.value("dirty", false))
        warnings.push_back({{"guard", "rollback"},
                            {"message", "run " + good_id + " was made from a working tree with uncommitted changes; the "
                                        "rollback applies commit " + commit.substr(0, 12) + " as committed"}});

    // 4. The stages of RUN that ran, in reverse order.
    std::map<std::string, std::string> status_of;
    for (const auto& s : bad.value("stages", json::array())) status_of[s.value("name", "")] = s.value("status", "");
    const StageGraph graph(rollout.stages);
    std::vector<std::string> order = graph.order();
    std::reverse(order.begin(), order.end());
    std::vector<Stage> stages;
    json skipped = json::array();
    json planned = json::array();
    for (const auto& name : order) {
        const Stage* stage = rollout.find_stage(name);
        if (!ran(status_of[name])) continue;
        // Only Terraform stages are rolled back (a command, or any other kind of stage, is not).
        if (stage->kind != StageKind::apply && stage->kind != StageKind::destroy) {
            skipped.push_back({{"stage", name},
                               {"reason", stage->kind == StageKind::command ? "a command stage: nothing to roll back with Terraform"
                                                                           : "not a Terraform stage: tfstage rollback does not roll it back"}});
            continue;
        }
        if (!stage->rollback_allowed) {
            skipped.push_back({{"stage", name}, {"reason", "rollback: false in the rollout file"}});
            continue;
        }
        Stage copy = *stage;
        copy.kind = StageKind::apply;  // a destroyed target comes back from the old configuration
        copy.checks.clear();
        copy.rollback.clear();
        copy.on_failure = OnFailure::stop;
        copy.needs = stages.empty() ? std::vector<std::string>{} : std::vector<std::string>{stages.back().name};
        copy.needs_written = true;
        planned.push_back(name);
        stages.push_back(std::move(copy));
    }
    if (stages.empty())
        throw Error(ErrorCode::invalid_argument, "run " + run_id + " has no stage to roll back" +
                                                     (skipped.empty() ? std::string(" (none of its stages ran)")
                                                                      : " (skipped: " + skipped.dump() + ")"));

    // 2. The old configuration, in a temporary directory.
    TreeGuard tree{make_temp_dir()};
    repo->write_tree(commit, tree.dir);

    // 3. Roots, var files and the local state.
    const std::string workspace = env->workspace.empty() ? "default" : env->workspace;
    std::vector<std::unique_ptr<RolloutLock>> locks;  // the user's roots: no run there meanwhile
    for (auto& root : rollout.roots) {
        const std::string rel = git::relative_to(workdir, root.path);
        if (rel.empty() && fs::weakly_canonical(root.path) != workdir)
            throw Error(ErrorCode::unsupported, "root '" + root.name + "' (" + root.path.string() + ") is outside the repository " +
                                                    workdir.string() + ": it cannot be rolled back to a commit");
        const fs::path old_root = tree.dir / rel;
        const fs::path user_dir = env->directory.empty() ? root.path : root.path / env->directory;
        const fs::path old_dir = env->directory.empty() ? old_root : old_root / env->directory;
        if (!fs::is_directory(old_dir))
            throw Error(ErrorCode::not_found, "root '" + root.name + "' (" + (rel.empty() ? "." : rel) + ") does not exist in commit " +
                                                  commit.substr(0, 12));
        for (const char* name : {"terraform.tfstate", "terraform.tfstate.d"}) {
            std::error_code ec;
            if (fs::exists(user_dir / name) && !fs::exists(old_dir / name, ec)) fs::create_symlink(user_dir / name, old_dir / name);
        }
        if (std::any_of(stages.begin(), stages.end(), [&](const Stage& s) { return s.root == root.name; }))
            locks.push_back(std::make_unique<RolloutLock>(user_dir / ".terraform" / "tfstage-locks", user_dir, workspace,
                                                          "rollback-of-" + run_id));
        root.path = old_root;
    }
    for (auto& var_file : env->var_files) {
        const std::string rel = git::relative_to(workdir, var_file);
        if (rel.empty()) continue;  // outside the repository: the same file
        if (fs::exists(tree.dir / rel)) {
            var_file = tree.dir / rel;
        } else {
            warnings.push_back({{"guard", "rollback"},
                                {"message", "var file " + rel + " is not in commit " + commit.substr(0, 12) + "; the current one is used"}});
        }
    }
    rollout.stages = std::move(stages);
    rollout.converge = false;  // skipped stages keep the new configuration on purpose

    options.state_dir = state_dir;
    options.environment = environment;
    options.kind = "rollback";
    options.plan_only = false;
    options.only.clear();
    options.from.clear();
    options.changed_since.clear();
    options.converge = false;
    const std::string description = repo->describe(commit);
    options.journal_extra = {{"rollback_of", run_id},
                             {"rollback_to", {{"run", good_id}, {"commit", commit}, {"description", description}}},
                             {"rollback", {{"tree", tree.dir.string()}, {"stages", planned}, {"skipped", skipped}}},
                             {"warnings", warnings}};
    json record = good_git;
    record["repository"] = workdir.string();
    record["dirty"] = false;
    record["modified"] = json::array();
    record["untracked"] = json::array();
    record["source"] = "rollback";  // the files of the commit, not the working tree
    options.git = record;

    // The rollback's own event, first, once the run has its id.
    auto listener = options.on_event;
    auto announced = std::make_shared<bool>(false);
    const json announcement{{"rollback_of", run_id}, {"to_run", good_id}, {"commit", commit}, {"description", description},
                            {"stages", planned},     {"skipped", skipped}, {"warnings", warnings}};
    options.on_event = [listener, announced, announcement](const Event& event) {
        if (!listener) return;
        if (!*announced) {
            *announced = true;
            listener(Event{"rollback_target", event.time, event.run, "", announcement});
        }
        listener(event);
    };
    return run_rollout(rollout, options);
}

}  // namespace tfstage::rollout
