// tfs_engine_*: open, callbacks, cancel, and the engine's commands other than plan and apply
// (engine_plan.cpp).
#include <algorithm>

#include "engine_call.hpp"
#include "engine_options.hpp"
#include "guard.hpp"
#include "json_request.hpp"
#include "ops/engine_results.hpp"
#include "ops/output_value.hpp"

using namespace tfstage;
using namespace tfstage::capi;
using json = nlohmann::json;

namespace {

// Runs `body(EngineCall&)` on a live engine, after checking the handle.
template <class Body>
int with_engine(tfs_engine* engine, Body&& body) {
    return guard([&] {
        EngineCall call(engines().get(engine, "engine"));
        body(call);
        return TFS_OK;
    });
}

void require_name(const char* name) {
    require(name, "name");
    if (*name == '\0') throw Error(ErrorCode::invalid_argument, "the workspace name is empty");
}

// Runs a workspace command on `name`; when it fails because there is no such workspace (the
// engine only says so in prose), TFS_ENOTFOUND instead of TFS_EENGINE.
template <class Command>
void on_existing_workspace(EngineCall& call, const char* name, Command command) {
    try {
        command();
    } catch (const terraform::EngineError& e) {
        if (e.code() != ErrorCode::engine_failed) throw;
        const auto names = call.engine().workspace_list();
        if (std::find(names.begin(), names.end(), name) != names.end()) throw;
        throw Error(ErrorCode::not_found, std::string("there is no workspace '") + name + "' (create it with tfs_engine_workspace_new)",
                    e.diagnostics());
    }
}

}  // namespace

extern "C" {

int tfs_engine_open(tfs_engine** out, const char* root_dir, const char* options_json) {
    return guard([&] {
        require(out, "out");
        *out = nullptr;
        require(root_dir, "root_dir");
        auto handle = std::make_shared<tfs_engine>();
        handle->settings = std::make_shared<EngineSettings>();
        handle->settings->options = engine_options(root_dir, options_json);
        *out = engines().add(std::move(handle));
        return TFS_OK;
    });
}

void tfs_engine_free(tfs_engine* engine) {
    (void)guard([&] {
        engines().remove(engine);
        return TFS_OK;
    });
}

int tfs_engine_set_event_callback(tfs_engine* engine, tfs_event_cb callback, void* payload) {
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        std::lock_guard lock(handle->callback_mutex);
        handle->callback = {callback, payload};
        return TFS_OK;
    });
}

int tfs_engine_cancel(tfs_engine* engine) {
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        std::lock_guard lock(handle->cancel_mutex);
        if (handle->running) handle->running->cancel();
        return TFS_OK;
    });
}

int tfs_engine_version(tfs_engine* engine, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        const auto& info = call.info();
        json out = result_object();
        out["flavour"] = terraform::to_string(info.flavour);
        out["version"] = info.version.str();
        out["binary"] = info.binary;
        out["platform"] = info.platform;
        *out_json = dup_string(dump(out));
    });
}

int tfs_engine_init(tfs_engine* engine, const char* options_json) {
    return with_engine(engine, [&](EngineCall& call) { call.engine().init(init_options(options_json)); });
}

int tfs_engine_workspace_list(tfs_engine* engine, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        *out_json = dup_string(dump(json(call.engine().workspace_list())));
    });
}

int tfs_engine_workspace_show(tfs_engine* engine, char** out_name) {
    if (out_name != nullptr) *out_name = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_name, "out_name");
        *out_name = dup_string(call.engine().workspace_show());
    });
}

int tfs_engine_workspace_new(tfs_engine* engine, const char* name) {
    return with_engine(engine, [&](EngineCall& call) {
        require_name(name);
        call.engine().workspace_new(name);
    });
}

int tfs_engine_workspace_select(tfs_engine* engine, const char* name) {
    return with_engine(engine, [&](EngineCall& call) {
        require_name(name);
        on_existing_workspace(call, name, [&] { call.engine().workspace_select(name); });
    });
}

int tfs_engine_workspace_select_or_create(tfs_engine* engine, const char* name) {
    return with_engine(engine, [&](EngineCall& call) {
        require_name(name);
        call.engine().workspace_select_or_create(name);
    });
}

int tfs_engine_workspace_delete(tfs_engine* engine, const char* name, int force) {
    return with_engine(engine, [&](EngineCall& call) {
        require_name(name);
        on_existing_workspace(call, name, [&] { call.engine().workspace_delete(name, force != 0); });
    });
}

int tfs_engine_destroy(tfs_engine* engine, const char* options_json, char** out_result_json) {
    if (out_result_json != nullptr) *out_result_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        const auto options = destroy_options(options_json, call.engine().options().working_dir);
        const auto result = call.engine().destroy(options);
        if (out_result_json == nullptr) return;
        json out = result_object();
        out.update(ops::change_counts(result.summary));
        *out_result_json = dup_string(dump(out));
    });
}

int tfs_engine_show_state(tfs_engine* engine, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        *out_json = dup_string(call.engine().show_json());
    });
}

int tfs_engine_outputs(tfs_engine* engine, int reveal_sensitive, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        json outputs = call.engine().outputs();
        if (!outputs.is_object()) outputs = json::object();
        if (reveal_sensitive == 0)
            for (auto& [name, output] : outputs.items())
                if (output.is_object() && output.value("sensitive", false)) output["value"] = nullptr;
        *out_json = dup_string(dump(outputs));
    });
}

int tfs_engine_show_plan(tfs_engine* engine, const char* plan_file, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(plan_file, "plan_file");
        require(out_json, "out_json");
        *out_json = dup_string(call.engine().show_json(saved_plan_path(plan_file)));
    });
}

int tfs_engine_output_raw(tfs_engine* engine, const char* name, int reveal_sensitive, char** out_text) {
    if (out_text != nullptr) *out_text = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(name, "name");
        require(out_text, "out_text");
        *out_text = dup_string(ops::output_raw(call.engine(), name, reveal_sensitive != 0));
    });
}

int tfs_engine_validate(tfs_engine* engine, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        *out_json = dup_string(dump(ops::validate_document(call.engine().validate())));
    });
}

int tfs_engine_state_list(tfs_engine* engine, const char* addresses_json, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_engine(engine, [&](EngineCall& call) {
        require(out_json, "out_json");
        std::vector<std::string> filter;
        if (addresses_json != nullptr) filter = parse_string_array(addresses_json, "addresses_json");
        *out_json = dup_string(dump(json(call.engine().state_list(filter))));
    });
}

}  // extern "C"
