// tfs_rollout_describe, tfs_rollout_graph, tfs_rollout_status and tfs_rollout_history: what a
// rollout file and its runs' journals say, without running anything.
#include "guard.hpp"
#include "handles.hpp"
#include "json_request.hpp"
#include "rollout/graph.hpp"
#include "ops/run_records.hpp"

using namespace tfstage;
using namespace tfstage::capi;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const char* approval_word(rollout::ApprovalRule rule) {
    switch (rule) {
        case rollout::ApprovalRule::auto_approve: return "auto";
        case rollout::ApprovalRule::manual_when_deleting: return "manual-when-deleting";
        default: return "manual";
    }
}

json describe(const rollout::Rollout& r) {
    json out = result_object();
    out["file"] = r.file.string();
    out["name"] = r.name;
    json roots = json::array();
    for (const auto& root : r.roots) roots.push_back({{"name", root.name}, {"path", root.path.string()}});
    json environments = json::array();
    for (const auto& e : r.environments) {
        json env{{"name", e.name},
                 {"workspace", e.workspace.empty() && e.directory.empty() ? std::string("default") : e.workspace},
                 {"approval", approval_word(e.approval)}};
        if (!e.directory.empty()) env["directory"] = e.directory.string();
        if (e.interrupt_grace) env["interrupt_grace_ms"] = e.interrupt_grace->count();
        json var_names = json::array();  // names only: values are secret
        for (const auto& [name, value] : e.vars) var_names.push_back(name);
        env["vars"] = var_names;
        environments.push_back(std::move(env));
    }
    json stages = json::array();
    for (std::size_t i = 0; i < r.stages.size(); ++i) {
        const auto& s = r.stages[i];
        json stage{{"name", s.name},
                   {"kind", rollout::stage_kind_word(s.kind)},
                   {"root", s.root},
                   {"targets", s.targets},
                   {"excludes", s.excludes},
                   {"needs", rollout::resolved_needs(r.stages, i)},
                   {"description", rollout::describe_stage(s)}};
        if (s.approval) stage["approval"] = approval_word(*s.approval);
        stages.push_back(std::move(stage));
    }
    out["roots"] = roots;
    out["environments"] = environments;
    out["stages"] = stages;
    return out;
}

json graph_json(const rollout::Rollout& r) {
    const rollout::StageGraph graph(r.stages);
    json stages = json::array();
    for (const auto& s : r.stages)
        stages.push_back({{"name", s.name}, {"needs", graph.needs_of(s.name)}, {"label", rollout::describe_stage(s)}});
    json out = result_object();
    out["stages"] = stages;
    out["order"] = graph.order();
    return out;
}

}  // namespace

extern "C" {

int tfs_rollout_describe(const tfs_rollout* rollout, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        require(out_json, "out_json");
        *out_json = dup_string(dump(describe(*handle->rollout)));
        return TFS_OK;
    });
}

int tfs_rollout_graph(const tfs_rollout* rollout, const char* format, char** out_text) {
    if (out_text != nullptr) *out_text = nullptr;
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        require(out_text, "out_text");
        require(format, "format");
        const std::string f = format;
        const rollout::StageGraph graph(handle->rollout->stages);
        if (f == "dot") *out_text = dup_string(graph.to_dot());
        else if (f == "mermaid") *out_text = dup_string(graph.to_mermaid());
        else if (f == "json") *out_text = dup_string(dump(graph_json(*handle->rollout)));
        else throw Error(ErrorCode::invalid_argument, "unknown graph format '" + f + "' (dot, mermaid or json)");
        return TFS_OK;
    });
}

int tfs_rollout_status(const char* state_dir, const char* run_id, char** out_json) {
    return guard([&] {
        require(out_json, "out_json");
        *out_json = nullptr;
        require(state_dir, "state_dir");
        *out_json = dup_string(dump(ops::run_status(state_dir, run_id == nullptr ? "" : run_id)));
        return TFS_OK;
    });
}

int tfs_rollout_history(const char* state_dir, char** out_json) {
    return guard([&] {
        require(out_json, "out_json");
        *out_json = nullptr;
        require(state_dir, "state_dir");
        *out_json = dup_string(dump(json(ops::history(state_dir))));
        return TFS_OK;
    });
}

}  // extern "C"
