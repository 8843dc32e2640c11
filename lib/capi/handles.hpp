// What the opaque handles of the C ABI hold, and their registries. Children hold shared_ptrs
// to what they need of their parents (a plan to its engine's settings; a run holds copies), so
// freeing a parent never invalidates a child.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"
#include "plan/provenance.hpp"
#include "plan/summary.hpp"
#include "process/process.hpp"
#include "registry.hpp"
#include "rollout/model.hpp"
#include "terraform/engine.hpp"
#include "tfstage/tfstage.h"

namespace tfstage::capi {

// An engine's settings, shared with the plans it made (tfs_plan_open_saved and apply need
// nothing else of it).
struct EngineSettings {
    terraform::EngineOptions options;  // no callbacks, no cancel token: set per call
    std::mutex info_mutex;
    std::optional<terraform::EngineInfo> info;  // `version -json`, asked once
};

// An event callback and its payload. Calls are serialised per engine call (EngineCall's
// call_mutex_), not by tfs_engine::callback_mutex.
struct Callback {
    tfs_event_cb function = nullptr;
    void* payload = nullptr;
};

}  // namespace tfstage::capi

struct tfs_engine {
    std::shared_ptr<tfstage::capi::EngineSettings> settings;

    // Guards `callback` only: held to change it and, in EngineCall::deliver, to copy it; the copy
    // is called after the mutex is released, so a replaced callback may still be called with
    // events copied before the change.
    std::mutex callback_mutex;
    tfstage::capi::Callback callback;

    std::mutex cancel_mutex;
    std::shared_ptr<tfstage::process::CancelToken> running;  // the running command's token
};

struct tfs_plan {
    std::shared_ptr<tfstage::capi::EngineSettings> engine;  // null for a plan read from JSON
    std::filesystem::path plan_file;                        // "" for a plan read from JSON
    bool owns_plan_file = false;                            // made under .terraform/tfstage-plans
    std::optional<tfstage::plan::Provenance> provenance;
    bool changes_present = false;
    std::string plan_file_text;  // plan_file as a string, for tfs_plan_file (borrowed)
    tfstage::plan::Plan model;   // immutable once made: queries need no lock
    tfstage::plan::Summary summary;

    tfs_plan() = default;
    tfs_plan(const tfs_plan&) = delete;
    tfs_plan& operator=(const tfs_plan&) = delete;
    ~tfs_plan();
};

struct tfs_rollout {
    std::shared_ptr<const tfstage::rollout::Rollout> rollout;

    std::mutex run_mutex;  // one run or resume at a time
    std::mutex cancel_mutex;
    std::shared_ptr<tfstage::process::CancelToken> running;  // the running run's token
};

struct tfs_run {
    std::string id;
    std::string status;  // the journal's word
    int outcome = TFS_OK;
    std::string journal_json;
};

namespace tfstage::capi {

// Never destroyed: handles freed during exit still find their registry.
Registry<tfs_engine>& engines();
Registry<tfs_plan>& plans();
Registry<tfs_rollout>& rollouts();
Registry<tfs_run>& runs();

}  // namespace tfstage::capi
