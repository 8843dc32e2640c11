#include "rollout/stage_commands.hpp"

#include <algorithm>

#include "cdk/cli.hpp"
#include "rollout/missing_output.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// ${output.STACK.KEY}: every CDK stack this run deployed wrote its outputs next to the journal.
void add_cdk_outputs(const Journal& journal, Variables& vars) {
    const fs::path dir = journal.run_dir() / "cdk";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename().string().ends_with(".outputs.json")) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const json outputs = cdk::read_outputs_file(file);
        for (const auto& [stack, keys] : outputs.items()) {
            if (!keys.is_object()) continue;
            for (const auto& [key, value] : keys.items())
                vars["output." + stack + "." + key] = value.is_string() ? value.get<std::string>() : value.dump();
        }
    }
}

// Which outputs the stage's commands use: the NAMEs of ${output.NAME}, and whether any uses
// a CDK stack's ${output.STACK.KEY}.
struct WantedOutputs {
    std::vector<std::string> terraform;
    bool cdk = false;
};

WantedOutputs outputs_wanted_by(const Stage& stage) {
    WantedOutputs wanted;
    auto look = [&](const std::string& text) {
        if (text.find("${output.") == std::string::npos) return;
        std::vector<std::string> names;
        try {
            names = placeholders(text);
        } catch (const Error&) {
            return;  // substitute() reports it
        }
        for (const auto& name : names) {
            if (name.rfind("output.", 0) != 0) continue;
            if (name.find('.', 7) == std::string::npos)
                wanted.terraform.push_back(name.substr(7));
            else
                wanted.cdk = true;
        }
    };
    auto scan = [&](const CommandSpec& spec) {
        for (const auto& arg : spec.argv) look(arg);
        for (const auto& [k, v] : spec.env) look(v);
        look(spec.cwd.string());
    };
    scan(stage.command);
    for (const auto& check : stage.checks) scan(check.command);
    for (const auto& step : stage.rollback) scan(step);
    return wanted;
}

}  // namespace

Variables variables_for(RunContext& run, const Stage& stage, const std::string& item) {
    Variables vars{{"env", run.environment.name},
                   {"workspace", run.environment.workspace.empty() ? "default" : run.environment.workspace}};
    if (!item.empty()) vars["item"] = item;
    const WantedOutputs wanted = outputs_wanted_by(stage);
    if (wanted.cdk) add_cdk_outputs(run.journal, vars);
    if (wanted.terraform.empty() || run.rollout.roots.empty()) return vars;
    // A command stage in a file with several roots names none: it has no outputs to read.
    if (!uses_terraform(stage) && stage.root.empty() && run.rollout.roots.size() != 1) return vars;

    const RootWorkspace where = run.root_of(stage);
    const json outputs = run.engines.outputs(where, wanted.terraform);
    for (const auto& [name, output] : outputs.items()) {
        if (!output.is_object() || !output.contains("value")) continue;
        const json& value = output["value"];
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        vars["output." + name] = text;
        if (output.value("sensitive", false)) run.redact.add(text);
    }
    explain_missing_outputs(vars, wanted.terraform, where.dir, where.workspace, outputs);  // why, instead of "unknown"
    return vars;
}

process::Result run_stage_command(RunContext& run, const CommandSpec& spec, const Variables& vars,
                                  process::CancelToken& cancel) {
    const fs::path& base = run.rollout.base_dir;
    process::Command command;
    for (const auto& arg : spec.argv) command.argv.push_back(substitute(arg, vars));
    for (const auto& [name, value] : spec.env) command.env[name] = substitute(value, vars);
    const fs::path cwd = spec.cwd.empty() ? base : fs::path(substitute(spec.cwd.string(), vars));
    command.cwd = cwd.is_absolute() ? cwd : base / cwd;
    // A relative program path is relative to the rollout file, like every other path in it.
    if (!command.argv.empty() && command.argv[0].find('/') != std::string::npos && command.argv[0][0] != '/')
        command.argv[0] = (base / command.argv[0]).lexically_normal().string();
    command.timeout = spec.timeout;
    command.grace = run.options.grace;
    command.cancel = borrowed(cancel);
    return process::run(command);
}

}  // namespace tfstage::rollout
