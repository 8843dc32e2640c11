// tfstage show PLAN [--json|--markdown]: what a plan will do, as people review it. PLAN is a
// saved plan file (read through the engine's show -json) or a show -json document. For a saved
// plan with a provenance record next to it, the record is shown too, with whether the plan
// file still has the recorded hash.
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "plan/provenance.hpp"
#include "plan/render.hpp"
#include "plan/summary.hpp"
#include "plan_source.hpp"

namespace tfstage::cli {
namespace {
namespace fs = std::filesystem;

struct ShowOptions {
    std::string plan_file;
    bool markdown = false;
};

struct CheckedProvenance {
    plan::Provenance record;
    bool plan_matches = false;
};

std::optional<CheckedProvenance> provenance_of(const fs::path& plan_file) {
    const auto path = plan::provenance_path(plan_file);
    if (!fs::exists(path)) return std::nullopt;
    auto record = plan::read_provenance(path);
    const bool plan_matches = plan::matches(record, plan_file);
    return CheckedProvenance{std::move(record), plan_matches};
}

std::string render_provenance_text(const CheckedProvenance& p) {
    const auto& r = p.record;
    std::string out = "\nProvenance (" + plan::provenance_path(r.plan_file).filename().string() + ")\n";
    out += "  sha256:    " + r.plan_sha256 + (p.plan_matches ? " (matches the plan file)\n"
                                                              : " (DOES NOT match the plan file: changed since it was made)\n");
    out += "  engine:    " + r.engine.flavour + " " + r.engine.version + " (" + r.engine.binary + ")\n";
    out += "  directory: " + r.working_dir + "\n";
    out += "  workspace: " + r.workspace + "\n";
    for (const auto& target : r.targets) out += "  target:    " + target + "\n";
    for (const auto& exclude : r.excludes) out += "  exclude:   " + exclude + "\n";
    for (const auto& file : r.var_files) out += "  var file:  " + file.path + " (sha256 " + file.sha256 + ")\n";
    out += "  created:   " + r.created_at + "\n";
    if (r.git.is_object()) {
        const std::string branch = r.git.value("detached", false) ? "detached" : "on " + r.git.value("branch", "");
        out += "  commit:    " + r.git.value("commit", "") + " (" + branch + ")" +
               (r.git.value("dirty", false) ? ", with uncommitted changes" : "") + "\n";
        for (const auto& f : r.git.value("modified", nlohmann::json::array())) out += "  modified:  " + f.get<std::string>() + "\n";
        for (const auto& f : r.git.value("untracked", nlohmann::json::array())) out += "  untracked: " + f.get<std::string>() + "\n";
    }
    return out;
}

std::string render_provenance_markdown(const CheckedProvenance& p) {
    const auto& r = p.record;
    std::string out = "\n**Provenance**: plan sha256 `" + r.plan_sha256 + "`" +
                      (p.plan_matches ? "" : " (**does not match the plan file**)") + ", " + r.engine.flavour + " " +
                      r.engine.version + ", workspace `" + r.workspace + "`, created " + r.created_at + "\n";
    for (const auto& target : r.targets) out += "- target `" + target + "`\n";
    for (const auto& file : r.var_files) out += "- var file `" + file.path + "` (sha256 `" + file.sha256 + "`)\n";
    return out;
}

void print(const Context& context, const ShowOptions& options, const plan::Summary& summary,
           const std::optional<CheckedProvenance>& provenance) {
    if (context.global.json) {
        auto out = plan::to_json(summary);
        if (provenance) {
            out["provenance"] = plan::to_json(provenance->record);
            out["provenance"]["plan_matches"] = provenance->plan_matches;
        }
        std::cout << out.dump() << '\n';
    } else if (options.markdown) {
        std::cout << plan::render_markdown(summary);
        if (provenance) std::cout << render_provenance_markdown(*provenance);
    } else {
        std::cout << plan::render_text(summary, {context.global.color});
        if (provenance) std::cout << render_provenance_text(*provenance);
    }
}

void run_show(Context& context, const ShowOptions& options) {
    const fs::path plan_file = options.plan_file;
    std::optional<CheckedProvenance> provenance;
    if (!ops::is_json_document(plan_file)) {
        provenance = provenance_of(plan_file);
        // A saved plan can only be shown from its root: without -C, use the recorded one.
        if (provenance && context.global.chdir.empty()) context.global.chdir = provenance->record.working_dir;
    }
    ops::ScratchDir scratch;
    auto engine = engine_on_demand(context);
    const auto document = ops::show_json_document(engine, plan_file, scratch);
    print(context, options, plan::summarise_file(document), provenance);
}

}  // namespace

void register_show(CLI::App& app, Context& context) {
    auto options = std::make_shared<ShowOptions>();
    auto* verb = app.add_subcommand("show", "summarise a saved plan or a show -json document (--json, --markdown)");
    verb->fallthrough();  // global options (--json, -C, -w) may follow the verb
    verb->add_option("PLAN", options->plan_file, "saved plan file, or show -json document")->required();
    verb->add_flag("--markdown", options->markdown, "Markdown, for pull-request comments");
    verb->callback([&context, options] { run_show(context, *options); });
}

}  // namespace tfstage::cli
