// The stage graph: which stage needs which, in what order stages may run, what depends on
// what, and pictures of it (Graphviz dot, Mermaid).
//
// A stage that does not write `needs` needs the previous stage in file order; the first stage
// needs nothing; `needs: []` needs nothing (it may start at once).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "rollout/model.hpp"

namespace tfstage::rollout {

// The needs of stage `index` as the executor must honour them: the written ones, or else the
// previous stage.
std::vector<std::string> resolved_needs(const std::vector<Stage>& stages, std::size_t index);

class StageGraph {
public:
    // Needs naming unknown stages are ignored here (the validator reports them).
    explicit StageGraph(const std::vector<Stage>& stages);

    const std::vector<std::string>& names() const { return names_; }  // file order
    const std::vector<std::string>& needs_of(const std::string& stage) const;

    // Every stage after all it needs; ties keep the file order. Throws Error(invalid_argument)
    // naming the cycle when there is one.
    std::vector<std::string> order() const;

    // The stages that need `stage`, directly or through others, in order().
    std::vector<std::string> dependents_of(const std::string& stage) const;

    // Every cycle, each once, as its path: {"a", "b", "a"} means a needs b needs a.
    std::vector<std::vector<std::string>> cycles() const;

    std::string to_dot() const;
    std::string to_mermaid() const;

private:
    std::size_t index_of(const std::string& stage) const;

    std::vector<std::string> names_;
    std::vector<std::string> labels_;             // "apply: module.vpc"
    std::vector<std::vector<std::size_t>> needs_;  // indices into names_
    std::vector<std::vector<std::string>> need_names_;
};

// "a -> b -> a"
std::string describe_cycle(const std::vector<std::string>& cycle);

// "apply: all", "apply: module.vpc, module.db (except module.db.x)", "destroy: module.blue",
// "run: scripts/shift.sh ${item} (for each of 5, 25, 50, 100)"
std::string describe_stage(const Stage& stage);

}  // namespace tfstage::rollout
