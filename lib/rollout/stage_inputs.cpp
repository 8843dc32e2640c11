#include "rollout/stage_inputs.hpp"

#include "cdk/assembly.hpp"
#include "plan/provenance.hpp"
#include "rollout/changes.hpp"
#include "rollout/input_key.hpp"
#include "support/digest.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// One sha256 over the configuration a Terraform stage applies: a saved plan carries the
// configuration it was made from, not today's, so a change means the stage runs again.
std::string configuration_hash(const fs::path& root, const std::vector<std::string>& targets) {
    std::string listing;
    for (const auto& file : configuration_files(root, targets))
        listing += file.lexically_relative(root).string() + " " + plan::sha256_file(file) + "\n";
    return sha256_hex(listing);
}

json cdk_inputs(const CdkStage& c) {
    json env_names = json::array();
    for (const auto& [name, value] : c.env) env_names.push_back(name);
    return {{"dir", c.dir.string()},    {"app", c.app},         {"synth", c.synth.string()},
            {"deploy", c.deploy},       {"destroy", c.destroy}, {"concurrency", c.concurrency},
            {"context", c.context},     {"method", c.method},   {"rollback", c.rollback},
            {"cli", c.cli},             {"env_names", env_names}};
}

json var_files_with_hashes(const std::vector<fs::path>& var_files) {
    json files = json::array();
    for (const auto& file : var_files) {
        std::string hash;
        try {
            hash = plan::sha256_file(file);
        } catch (const Error&) {
            hash = "missing";
        }
        files.push_back({{"path", file.string()}, {"sha256", hash}});
    }
    return files;
}

// tfstage 0.1.0 journaled the kind as StageKind's number.
bool upgrade_numeric_kind(json& record) {
    json& inputs = record["inputs"];
    if (!inputs.is_object() || !inputs.contains("kind") || !inputs["kind"].is_number_integer()) return false;
    const int number = inputs["kind"].get<int>();
    if (number < 0 || number > static_cast<int>(StageKind::cdk)) return false;
    inputs["kind"] = stage_kind_word(static_cast<StageKind>(number));
    return true;
}

}  // namespace

json stage_inputs(RunContext& run, const Stage& stage) {
    json inputs{{"kind", stage_kind_word(stage.kind)}, {"targets", stage.targets}, {"excludes", stage.excludes}};
    if (stage.kind == StageKind::command) {
        inputs["argv"] = stage.command.argv;
        inputs["for_each"] = stage.for_each;
        return inputs;
    }
    if (stage.kind == StageKind::cdk) {
        inputs["cdk"] = cdk_inputs(stage.cdk);
        return inputs;
    }
    const RootWorkspace where = run.root_of(stage);
    inputs["working_dir"] = where.dir.string();
    inputs["workspace"] = where.workspace;
    const auto& info = run.engines.info(where);
    inputs["engine"] = std::string(terraform::to_string(info.flavour)) + " " + info.version.str();
    inputs["var_files"] = var_files_with_hashes(run.environment.var_files);
    const auto vars = run.stage_vars(stage);
    json names = json::array();
    for (const auto& [name, value] : vars) names.push_back(name);
    inputs["var_names"] = names;
    inputs["vars_hmac"] = vars_hmac(run.options.state_dir, vars_text(vars));
    inputs["code_sha256"] = configuration_hash(where.dir, stage.targets);
    return inputs;
}

json upgraded_record(RunContext& run, json record) {
    const Stage* stage = run.rollout.find_stage(record.value("name", ""));
    if (stage == nullptr || !record.contains("inputs")) return record;
    bool upgraded = upgrade_numeric_kind(record);
    if (uses_terraform(*stage))
        upgraded = upgrade_legacy_vars_hash(record, run.options.state_dir, vars_text(run.stage_vars(*stage))) || upgraded;
    if (upgraded) run.journal.update_stage(stage->name, [&](json& s) { s["inputs"] = record["inputs"]; });
    return record;
}

json template_hashes(const CdkStage& c) {
    const fs::path dir = c.assembly_dir();
    if (c.deploy.empty() || dir.empty() || !cdk::is_assembly(dir)) return nullptr;
    try {
        const auto assembly = cdk::read_assembly(dir);
        json out = json::object();
        for (const auto& name : c.deploy) {
            const cdk::Stack* stack = assembly.find(name);
            if (stack == nullptr) return nullptr;
            out[name] = plan::sha256_file(dir / stack->template_file);
        }
        return out;
    } catch (const Error&) {
        return nullptr;
    }
}

}  // namespace tfstage::rollout
