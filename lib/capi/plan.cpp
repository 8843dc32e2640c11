// tfs_plan_*: plans from JSON or saved plan files, and their queries (summary, changes,
// provenance, hash, rendering, policies). A plan handle is immutable once made.
#include <system_error>

#include "address/address.hpp"
#include "engine_call.hpp"
#include "engine_options.hpp"
#include "guard.hpp"
#include "json_request.hpp"
#include "plan/policy.hpp"
#include "plan/render.hpp"
#include "plan_build.hpp"

using namespace tfstage;
using namespace tfstage::capi;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json provenance_json(const tfs_plan& p) {
    json out = plan::to_json(*p.provenance);
    out["plan_matches"] = plan::matches(*p.provenance, p.plan_file);
    return out;
}

// The document of `tfstage show --json`, plus the keys plan.h promises.
json summary_json(const tfs_plan& p) {
    json out = plan::to_json(p.summary);
    out["schema_version"] = TFS_SCHEMA_VERSION;
    out["terraform_version"] = p.model.terraform_version;
    out["errored"] = p.model.errored;
    out["changes_present"] = p.changes_present;
    out["counts"] = out["summary"];
    for (std::size_t i = 0; i < p.summary.changes.size() && i < out["changes"].size(); ++i)
        out["changes"][i]["action"] = plan::to_string(p.summary.changes[i].kind);
    json outputs = json::object();
    for (const auto& o : p.model.output_changes)
        outputs[o.name] = {{"actions", o.change.actions}, {"action", plan::to_string(o.change.kind)}, {"sensitive", o.sensitive}};
    out["outputs"] = outputs;
    if (p.provenance) out["provenance"] = provenance_json(p);
    return out;
}

json changes_json(const tfs_plan& p) {
    json resources = json::array();
    for (const auto& rc : p.model.resource_changes) {
        json entry{{"address", rc.address},
                   {"module_address", rc.module_address},
                   {"type", rc.type},
                   {"name", rc.name},
                   {"index", rc.index},
                   {"mode", rc.mode},
                   {"provider_name", rc.provider_name},
                   {"actions", rc.change.actions},
                   {"action", plan::to_string(rc.change.kind)},
                   {"action_reason", rc.action_reason.empty() ? json() : json(rc.action_reason)},
                   {"replace_paths", rc.change.replace_paths.is_null() ? json::array() : rc.change.replace_paths}};
        if (!rc.previous_address.empty()) entry["previous_address"] = rc.previous_address;
        if (!rc.deposed.empty()) entry["deposed"] = rc.deposed;
        if (rc.change.importing) entry["importing"] = true;
        resources.push_back(std::move(entry));
    }
    json outputs = json::object();
    for (const auto& o : p.model.output_changes)
        outputs[o.name] = {{"actions", o.change.actions}, {"action", plan::to_string(o.change.kind)}, {"sensitive", o.sensitive}};
    json out = result_object();
    out["resource_changes"] = resources;
    out["output_changes"] = outputs;
    return out;
}

template <class Body>
int with_plan(const tfs_plan* plan, Body&& body) {
    return guard([&] {
        auto p = plans().get(plan, "plan");
        body(*p);
        return TFS_OK;
    });
}

}  // namespace

extern "C" {

int tfs_plan_open_json_file(tfs_plan** out, const char* path) {
    return guard([&] {
        require(out, "out");
        *out = nullptr;
        require(path, "path");
        std::error_code ec;
        if (!fs::exists(path, ec)) throw Error(ErrorCode::not_found, std::string("there is no file ") + path);
        if (fs::is_directory(path, ec))
            throw Error(ErrorCode::io, std::string(path) + " is a directory, not a plan JSON file (terraform show -json PLANFILE)");
        auto made = std::make_shared<tfs_plan>();
        load_plan_model(*made, plan::read_file(path));
        *out = plans().add(std::move(made));
        return TFS_OK;
    });
}

int tfs_plan_open_json(tfs_plan** out, const char* json_text, size_t length) {
    return guard([&] {
        require(out, "out");
        *out = nullptr;
        require(json_text, "json");
        auto made = std::make_shared<tfs_plan>();
        load_plan_model(*made, plan::to_utf8(std::string_view(json_text, length)));
        *out = plans().add(std::move(made));
        return TFS_OK;
    });
}

int tfs_plan_open_saved(tfs_plan** out, tfs_engine* engine, const char* plan_file) {
    if (out != nullptr) *out = nullptr;
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        require(out, "out");
        require(plan_file, "plan_file");
        const fs::path file = saved_plan_path(plan_file);
        std::error_code ec;
        auto made = std::make_shared<tfs_plan>();
        made->engine = handle->settings;
        made->plan_file = file;
        const auto record = plan::provenance_path(file);
        if (fs::exists(record, ec)) made->provenance = plan::read_provenance(record);
        EngineCall call(handle);
        load_plan_model(*made, call.engine().show_json(file));
        *out = plans().add(std::move(made));
        return TFS_OK;
    });
}

void tfs_plan_free(tfs_plan* plan) {
    (void)guard([&] {
        plans().remove(plan);
        return TFS_OK;
    });
}

int tfs_plan_changes_present(const tfs_plan* plan, int* out) {
    if (out != nullptr) *out = 0;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out, "out");
        *out = p.changes_present ? 1 : 0;
    });
}

int tfs_plan_file(const tfs_plan* plan, const char** out_path) {
    if (out_path != nullptr) *out_path = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_path, "out_path");
        *out_path = p.plan_file_text.c_str();  // lives as long as the plan
    });
}

int tfs_plan_summary(const tfs_plan* plan, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_json, "out_json");
        *out_json = dup_string(dump(summary_json(p)));
    });
}

int tfs_plan_changes(const tfs_plan* plan, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_json, "out_json");
        *out_json = dup_string(dump(changes_json(p)));
    });
}

int tfs_plan_provenance(const tfs_plan* plan, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_json, "out_json");
        if (!p.provenance)
            throw Error(ErrorCode::not_found, p.plan_file.empty() ? "this plan was read from JSON: it has no provenance record"
                                                                  : "the plan file has no provenance record next to it");
        *out_json = dup_string(dump(provenance_json(p)));
    });
}

int tfs_plan_hash(const tfs_plan* plan, char** out_hex) {
    if (out_hex != nullptr) *out_hex = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_hex, "out_hex");
        if (p.plan_file.empty()) throw Error(ErrorCode::not_found, "this plan was read from JSON: it has no saved plan file");
        *out_hex = dup_string(plan::sha256_file(p.plan_file));
    });
}

int tfs_plan_render(const tfs_plan* plan, int format, char** out_text) {
    if (out_text != nullptr) *out_text = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_text, "out_text");
        switch (format) {
            case TFS_RENDER_TEXT: *out_text = dup_string(plan::render_text(p.summary, {false})); break;
            case TFS_RENDER_MARKDOWN: *out_text = dup_string(plan::render_markdown(p.summary)); break;
            case TFS_RENDER_JSON: *out_text = dup_string(dump(summary_json(p))); break;
            default:
                throw Error(ErrorCode::invalid_argument, "unknown render format " + std::to_string(format) +
                                                             " (TFS_RENDER_TEXT, TFS_RENDER_MARKDOWN or TFS_RENDER_JSON)");
        }
    });
}

int tfs_plan_evaluate_policy(const tfs_plan* plan, const char* rules_text, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_plan(plan, [&](const tfs_plan& p) {
        require(out_json, "out_json");
        require(rules_text, "rules_text");
        plan::PolicyRules rules;
        try {
            rules = plan::parse_policy_yaml(rules_text);
        } catch (const Error& e) {
            throw Error(ErrorCode::parse_error, std::string("policy rules: ") + e.what(), e.diagnostics());
        }
        const auto violations = plan::evaluate(rules, p.model);
        json list = json::array();
        for (const auto& v : violations)
            list.push_back({{"rule", v.rule}, {"address", v.address}, {"message", v.detail}, {"detail", v.detail}});
        json out = result_object();
        out["allowed"] = violations.empty();
        out["violations"] = list;
        *out_json = dup_string(dump(out));
    });
}

}  // extern "C"
