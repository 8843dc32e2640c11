#include "rollout/graph.hpp"

#include "cdk/assembly.hpp"

#include <algorithm>
#include <set>

namespace tfstage::rollout {
namespace {

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += separator;
        out += item;
    }
    return out;
}

std::string escape_dot(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

// Mermaid labels are quoted; a quote inside is written as an entity.
std::string escape_mermaid(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '"') out += "#quot;";
        else if (c == '<') out += "#lt;";
        else if (c == '>') out += "#gt;";
        else out += c;
    }
    return out;
}

enum class Mark { unvisited, on_path, done };

// "cdk synth -> cdk.out", "cdk deploy: A then [B + C] (concurrency 2)": the waves come from
// the cloud assembly when it is there (after a synth), else the stacks as written.
std::string describe_cdk(const CdkStage& cdk) {
    std::vector<std::string> parts;
    if (!cdk.synth.empty()) parts.push_back("cdk synth -> " + cdk.synth.filename().string());
    // The waves come from the assembly; before the first synth, the stacks as written.
    const auto dir = cdk.assembly_dir();
    const bool synthesized = !dir.empty() && cdk::is_assembly(dir);
    auto stacks = [&](const std::vector<std::string>& names, bool destroying) {
        if (synthesized) {
            try {
                const auto assembly = cdk::read_assembly(dir);
                return cdk::describe_waves(destroying ? cdk::destroy_waves(assembly, names) : cdk::deploy_waves(assembly, names));
            } catch (const Error&) {
                // An assembly that does not hold them: the run will say so; show them as written.
            }
        }
        return join(names, ", ");
    };
    if (!cdk.deploy.empty()) {
        std::string text = "cdk deploy: " + stacks(cdk.deploy, false);
        if (cdk.concurrency > 1) text += " (concurrency " + std::to_string(cdk.concurrency) + ")";
        parts.push_back(text);
    }
    if (!cdk.destroy.empty()) parts.push_back("cdk destroy: " + stacks(cdk.destroy, true));
    if (!synthesized && (!cdk.deploy.empty() || !cdk.destroy.empty())) parts.push_back("order from the assembly once synthesized");
    return join(parts, "; ");
}

}  // namespace

std::vector<std::string> resolved_needs(const std::vector<Stage>& stages, std::size_t index) {
    const Stage& stage = stages.at(index);
    if (stage.needs_written) return stage.needs;
    if (index == 0) return {};
    return {stages[index - 1].name};
}

std::string describe_stage(const Stage& stage) {
    switch (stage.kind) {
    case StageKind::apply: {
        std::string out = "apply: " + (stage.targets.empty() ? std::string("all") : join(stage.targets, ", "));
        if (!stage.excludes.empty()) out += " (except " + join(stage.excludes, ", ") + ")";
        return out;
    }
    case StageKind::destroy:
        return "destroy: " + join(stage.targets, ", ");
    case StageKind::command: {
        std::string out = "run: " + join(stage.command.argv, " ");
        if (!stage.for_each.empty()) out += " (for each of " + join(stage.for_each, ", ") + ")";
        return out;
    }
    case StageKind::cdk: return describe_cdk(stage.cdk);
    }
    return {};
}

std::string describe_cycle(const std::vector<std::string>& cycle) { return join(cycle, " -> "); }

StageGraph::StageGraph(const std::vector<Stage>& stages) {
    for (const auto& stage : stages) {
        names_.push_back(stage.name);
        labels_.push_back(describe_stage(stage));
    }
    for (std::size_t i = 0; i < stages.size(); ++i) {
        need_names_.push_back(resolved_needs(stages, i));
        std::vector<std::size_t> indices;
        for (const auto& need : need_names_.back()) {
            std::size_t at = index_of(need);
            if (at < names_.size()) indices.push_back(at);
        }
        needs_.push_back(std::move(indices));
    }
}

std::size_t StageGraph::index_of(const std::string& stage) const {
    return static_cast<std::size_t>(std::find(names_.begin(), names_.end(), stage) - names_.begin());
}

const std::vector<std::string>& StageGraph::needs_of(const std::string& stage) const {
    std::size_t at = index_of(stage);
    if (at >= names_.size()) throw Error(ErrorCode::not_found, "no stage named '" + stage + "'");
    return need_names_[at];
}

std::vector<std::string> StageGraph::order() const {
    if (auto found = cycles(); !found.empty())
        throw Error(ErrorCode::invalid_argument, "the stages' needs form a cycle: " + describe_cycle(found.front()));
    // Repeatedly take the first stage in file order whose needs are all placed: quadratic,
    // and rollouts have tens of stages.
    std::vector<bool> placed(names_.size(), false);
    std::vector<std::string> out;
    while (out.size() < names_.size()) {
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (placed[i]) continue;
            bool ready = std::all_of(needs_[i].begin(), needs_[i].end(), [&](std::size_t need) { return placed[need]; });
            if (!ready) continue;
            placed[i] = true;
            out.push_back(names_[i]);
            break;
        }
    }
    return out;
}

std::vector<std::string> StageGraph::dependents_of(const std::string& stage) const {
    std::size_t start = index_of(stage);
    if (start >= names_.size()) throw Error(ErrorCode::not_found, "no stage named '" + stage + "'");
    std::vector<bool> dependent(names_.size(), false);
    // Grow the set until no stage needing a member is left out (a fixpoint; cycles are harmless).
    for (bool grew = true; grew;) {
        grew = false;
        for (std::size_t i = 0; i < names_.size(); ++i) {
            if (dependent[i] || i == start) continue;
            bool needs_member = std::any_of(needs_[i].begin(), needs_[i].end(), [&](std::size_t need) { return need == start || dependent[need]; });
            if (needs_member) dependent[i] = grew = true;
        }
    }
    std::vector<std::string> out;
    for (const auto& name : cycles().empty() ? order() : names_)
        if (dependent[index_of(name)]) out.push_back(name);
    return out;
}

std::vector<std::vector<std::string>> StageGraph::cycles() const {
    std::vector<Mark> marks(names_.size(), Mark::unvisited);
    std::vector<std::size_t> path;
    std::vector<std::vector<std::string>> found;
    std::set<std::set<std::size_t>> seen;  // a cycle found from two starting points counts once

    // Depth-first along needs; meeting a stage on the current path closes a cycle.
    auto visit = [&](auto&& self, std::size_t at) -> void {
        marks[at] = Mark::on_path;
        path.push_back(at);
        for (std::size_t need : needs_[at]) {
            if (marks[need] == Mark::on_path) {
                auto begin = std::find(path.begin(), path.end(), need);
                std::set<std::size_t> members(begin, path.end());
                if (!seen.insert(members).second) continue;
                std::vector<std::string> cycle;
                for (auto it = begin; it != path.end(); ++it) cycle.push_back(names_[*it]);
                cycle.push_back(names_[need]);
                found.push_back(std::move(cycle));
            } else if (marks[need] == Mark::unvisited) {
                self(self, need);
            }
        }
        path.pop_back();
        marks[at] = Mark::done;
    };
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (marks[i] == Mark::unvisited) visit(visit, i);
    return found;
}

std::string StageGraph::to_dot() const {
    std::string out = "digraph rollout {\n  rankdir=TB;\n  node [shape=box];\n";
    for (std::size_t i = 0; i < names_.size(); ++i)
        out += "  \"" + escape_dot(names_[i]) + "\" [label=\"" + escape_dot(names_[i]) + "\\n" + escape_dot(labels_[i]) + "\"];\n";
    for (std::size_t i = 0; i < names_.size(); ++i)
        for (std::size_t need : needs_[i]) out += "  \"" + escape_dot(names_[need]) + "\" -> \"" + escape_dot(names_[i]) + "\";\n";
    return out + "}\n";
}

std::string StageGraph::to_mermaid() const {
    // Stage names may hold '.' and '-', which Mermaid ids may not: ids are s0, s1, ...
    std::string out = "flowchart TD\n";
    for (std::size_t i = 0; i < names_.size(); ++i)
        out += "  s" + std::to_string(i) + "[\"" + escape_mermaid(names_[i]) + "<br/>" + escape_mermaid(labels_[i]) + "\"]\n";
    for (std::size_t i = 0; i < names_.size(); ++i)
        for (std::size_t need : needs_[i]) out += "  s" + std::to_string(need) + " --> s" + std::to_string(i) + "\n";
    return out;
}

}  // namespace tfstage::rollout
