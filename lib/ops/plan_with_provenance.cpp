#include "ops/plan_with_provenance.hpp"

#include "git/git.hpp"
#include "support/error.hpp"

namespace tfstage::ops {
namespace fs = std::filesystem;

namespace {

std::string workspace_of(terraform::Engine& engine, const ProvenanceRequest& request) {
    if (!request.workspace.empty()) return request.workspace;
    if (!engine.options().workspace.empty()) return engine.options().workspace;
    return engine.workspace_show();
}

// The commit, branch and dirty files of the configuration and its var files; null outside a
// repository.
nlohmann::json git_of(const fs::path& working_dir, const terraform::PlanOptions& options) {
    if (auto git = git::provenance_of(working_dir, options.var_files)) return git::to_json(*git);
    return nullptr;
}

}  // namespace

SavedPlan record_provenance(terraform::Engine& engine, const terraform::PlanOptions& options,
                            const ProvenanceRequest& request) {
    const auto& info = engine.info();
    plan::ProvenanceInput input;
    input.plan_file = options.out;
    input.engine = {terraform::to_string(info.flavour), info.version.str(), info.binary};
    input.working_dir = engine.options().working_dir.empty() ? fs::current_path() : engine.options().working_dir;
    input.workspace = workspace_of(engine, request);
    input.targets = options.targets;
    input.excludes = options.excludes;
    input.var_files = options.var_files;
    SavedPlan saved;
    saved.provenance = plan::make_provenance(input);
    saved.provenance.git = request.git ? *request.git : git_of(input.working_dir, options);
    saved.provenance_file = plan::provenance_path(options.out);
    plan::write_provenance(saved.provenance, saved.provenance_file);
    return saved;
}

SavedPlan plan_with_provenance(terraform::Engine& engine, const terraform::PlanOptions& options,
                               const ProvenanceRequest& request) {
    if (options.out.empty())
        throw Error(ErrorCode::invalid_argument, "a plan with provenance needs a plan file to save the plan into");
    auto result = engine.plan(options);
    SavedPlan saved = record_provenance(engine, options, request);
    saved.result = std::move(result);
    return saved;
}

}  // namespace tfstage::ops
