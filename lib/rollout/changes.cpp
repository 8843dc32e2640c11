#include "rollout/changes.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "git/git.hpp"
#include "support/error.hpp"
#include "support/hcl_text.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// module "NAME" { ... source = "..." ... } in a *.tf file.
void hcl_module_calls(const std::string& text, std::map<std::string, std::string>& calls) {
    static const std::regex header(R"re(module\s+"([^"]+)"\s*\{)re");
    static const std::regex source(R"re((^|\n)\s*source\s*=\s*"([^"]*)")re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), header); it != std::sregex_iterator(); ++it) {
        // The block's body: up to its closing brace (braces inside strings do not count).
        std::size_t pos = static_cast<std::size_t>(it->position(0) + it->length(0));
        const std::size_t start = pos;
        for (int depth = 1; pos < text.size() && depth > 0; ++pos) {
            if (text[pos] == '"') pos = hcl_string_end(text, pos);
            else if (text[pos] == '{') ++depth;
            else if (text[pos] == '}') --depth;
        }
        const std::string body = text.substr(start, pos - start);
        std::smatch m;
        if (std::regex_search(body, m, source)) calls[(*it)[1].str()] = m[2].str();
    }
}

// {"module": {"NAME": {"source": ...}}} in a *.tf.json file (a block may also be a list of
// objects). A file that is not valid JSON is Terraform's to report; it adds no calls here.
void json_module_calls(const std::string& text, std::map<std::string, std::string>& calls) {
    const json doc = json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("module")) return;
    auto add = [&](const json& blocks) {
        if (!blocks.is_object()) return;
        for (const auto& [name, body] : blocks.items()) {
            for (const auto& one : body.is_array() ? body : json::array({body}))
                if (one.is_object() && one.contains("source") && one["source"].is_string()) calls[name] = one["source"].get<std::string>();
        }
    };
    const json& modules = doc["module"];
    if (modules.is_array()) {
        for (const auto& blocks : modules) add(blocks);
    } else {
        add(modules);
    }
}

// The module calls (name -> source) of one directory's configuration files.
std::map<std::string, std::string> module_calls(const fs::path& dir) {
    std::map<std::string, std::string> calls;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file()) continue;
        const std::string name = entry.path().filename().string();
        if (ends_with(name, ".tf.json")) json_module_calls(read_text(entry.path()), calls);
        else if (ends_with(name, ".tf")) hcl_module_calls(hcl_without_comments(read_text(entry.path())), calls);
    }
    return calls;
}

bool is_local_source(const std::string& source) { return source.rfind("./", 0) == 0 || source.rfind("../", 0) == 0; }

void collect(const fs::path& dir, const std::vector<std::string>& only, std::set<fs::path>& out) {
    for (const auto& [name, source] : module_calls(dir)) {
        if (!only.empty() && std::find(only.begin(), only.end(), name) == only.end()) continue;
        if (!is_local_source(source)) continue;
        const fs::path module_dir = (dir / source).lexically_normal();
        if (out.insert(module_dir).second) collect(module_dir, {}, out);
    }
}

// module.NAME of a target ("module.kafka", "module.kafka[0].aws_x.y"); "" for a root resource.
std::string top_module(const std::string& target) {
    const std::string prefix = "module.";
    if (target.rfind(prefix, 0) != 0) return "";
    std::size_t end = prefix.size();
    while (end < target.size() && target[end] != '.' && target[end] != '[') ++end;
    return target.substr(prefix.size(), end - prefix.size());
}

// Up to five paths, then "and N more".
std::string some(const std::vector<std::string>& paths) {
    std::string out;
    for (std::size_t i = 0; i < paths.size() && i < 5; ++i) out += (i ? ", " : "") + paths[i];
    if (paths.size() > 5) out += " and " + std::to_string(paths.size() - 5) + " more";
    return out;
}

bool under(const std::string& path, const std::string& dir) {
    if (dir.empty()) return true;
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string parent_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool is_root_file(const std::string& path) {
    const std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    return ends_with(name, ".tf") || ends_with(name, ".tf.json") || ends_with(name, ".tfvars") ||
           ends_with(name, ".tfvars.json") || name == ".terraform.lock.hcl";
}

}  // namespace

std::vector<fs::path> local_module_dirs(const fs::path& root_dir, const std::vector<std::string>& targets) {
    std::vector<std::string> names;
    bool any_module_target = false;
    for (const auto& target : targets)
        if (auto name = top_module(target); !name.empty()) {
            names.push_back(name);
            any_module_target = true;
        }
    std::set<fs::path> out;
    // An untargeted stage covers every module; a stage of root resources only, none.
    if (targets.empty() || any_module_target) collect(root_dir, names, out);
    return {out.begin(), out.end()};
}

std::vector<fs::path> configuration_files(const fs::path& root_dir, const std::vector<std::string>& targets) {
    std::vector<fs::path> dirs = local_module_dirs(root_dir, targets);
    dirs.insert(dirs.begin(), root_dir);
    std::vector<fs::path> out;
    for (const auto& dir : dirs) {
        const std::size_t first = out.size();
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            if ((ends_with(name, ".tf") || ends_with(name, ".tf.json")) && entry.is_regular_file(ec)) out.push_back(entry.path());
        }
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
    }
    return out;
}

std::set<std::string> ChangeSelection::selected() const {
    std::set<std::string> out;
    for (const auto& s : stages)
        if (s.selected) out.insert(s.stage);
    return out;
}

json ChangeSelection::to_json() const {
    json stage_list = json::array();
    for (const auto& s : stages) stage_list.push_back({{"name", s.stage}, {"selected", s.selected}, {"reasons", s.reasons}});
    return {{"changed_since", ref},   {"ref_commit", ref_commit}, {"head", head_commit},
            {"merge_base", merge_base}, {"repository", repository}, {"changed_files", changed},
            {"stages", stage_list}};
}

namespace {

git::Repository repository_of(const Rollout& rollout) {
    std::optional<git::Repository> repo = git::Repository::discover(rollout.base_dir);
    for (std::size_t i = 0; !repo && i < rollout.roots.size(); ++i) repo = git::Repository::discover(rollout.roots[i].path);
    if (!repo)
        throw Error(ErrorCode::invalid_argument, "--changed-since needs a git repository, and " + rollout.base_dir.string() +
                                                     " is not in one");
    return std::move(*repo);
}

}  // namespace

void check_changed_since(const Rollout& rollout, const std::string& ref) {
    const git::Repository repo = repository_of(rollout);
    repo.merge_base(repo.resolve_commit(ref), repo.resolve_commit("HEAD"));
}

ChangeSelection select_changed_stages(const Rollout& rollout, const Environment& environment, const std::string& ref) {
    std::optional<git::Repository> repo = repository_of(rollout);
    ChangeSelection selection;
    selection.ref = ref;
    selection.repository = repo->workdir().string();
    selection.ref_commit = repo->resolve_commit(ref);
    selection.head_commit = repo->resolve_commit("HEAD");
    selection.merge_base = repo->merge_base(selection.ref_commit, selection.head_commit);
    selection.changed = repo->changed_since(selection.merge_base);
    const fs::path workdir = repo->workdir();
    auto rel = [&](const fs::path& p) { return git::relative_to(workdir, p); };
    auto inside = [&](const fs::path& p) { return p == workdir || !rel(p).empty(); };

    std::map<std::string, StageChoice> choices;
    for (const auto& stage : rollout.stages) {
        StageChoice choice{stage.name, false, {}};
        auto matching = [&](auto&& predicate) {
            std::vector<std::string> hits;
            for (const auto& path : selection.changed)
                if (predicate(path)) hits.push_back(path);
            return hits;
        };
        if (uses_terraform(stage)) {
            const Root* root = stage.root.empty() ? (rollout.roots.size() == 1 ? &rollout.roots.front() : nullptr)
                                                  : rollout.find_root(stage.root);
            if (root != nullptr) {
                const fs::path dir = environment.directory.empty() ? root->path : root->path / environment.directory;
                if (inside(dir)) {
                    const std::string dir_rel = rel(dir);
                    auto hits = matching([&](const std::string& p) { return parent_of(p) == dir_rel && is_root_file(p); });
                    if (!hits.empty()) choice.reasons.push_back("root file changed: " + some(hits));
                    for (const auto& module_dir : local_module_dirs(dir, stage.targets)) {
                        if (!inside(module_dir)) continue;
                        const std::string m = rel(module_dir);
                        auto in_module = matching([&](const std::string& p) { return under(p, m); });
                        if (!in_module.empty())
                            choice.reasons.push_back("module source " + m + "/ changed: " + some(in_module));
                    }
                }
                for (const auto& file : environment.var_files) {
                    if (!inside(file)) continue;
                    const std::string f = rel(file);
                    if (std::find(selection.changed.begin(), selection.changed.end(), f) != selection.changed.end())
                        choice.reasons.push_back("var file changed: " + f);
                }
            }
        }
        for (const auto& watched : stage.watch) {
            if (!inside(watched)) continue;
            const std::string w = rel(watched);
            auto hits = matching([&](const std::string& p) { return under(p, w); });
            if (!hits.empty()) choice.reasons.push_back("watched path " + (w.empty() ? "." : w) + " changed: " + some(hits));
        }
        // Reasons may repeat (a tfvars file that is both a root file and the var file): keep one.
        std::vector<std::string> unique;
        for (auto& r : choice.reasons)
            if (std::find(unique.begin(), unique.end(), r) == unique.end()) unique.push_back(r);
        choice.reasons = unique;
        choice.selected = !choice.reasons.empty();
        choices[stage.name] = choice;
    }
    // Dependants through written needs, until nothing more is selected.
    for (bool more = true; more;) {
        more = false;
        for (const auto& stage : rollout.stages) {
            if (!stage.needs_written) continue;
            for (const auto& need : stage.needs) {
                if (!choices[need].selected) continue;
                auto& choice = choices[stage.name];
                const std::string reason = "needs " + need;
                if (std::find(choice.reasons.begin(), choice.reasons.end(), reason) != choice.reasons.end()) continue;
                choice.reasons.push_back(reason);
                if (!choice.selected) more = true;
                choice.selected = true;
            }
        }
    }
    for (const auto& stage : rollout.stages) selection.stages.push_back(choices[stage.name]);
    return selection;
}

}  // namespace tfstage::rollout
