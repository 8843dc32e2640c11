// tfs_rollout_load, run, resume, approve and cancel, and the tfs_run handles they make (the
// read-only queries are in rollout_describe.cpp).
#include "guard.hpp"
#include "json_request.hpp"
#include "ops/event_documents.hpp"
#include "ops/run_records.hpp"
#include "ops/validate_rollout.hpp"
#include "rollout/approvals.hpp"
#include "rollout/journal.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/run_outcome.hpp"
#include "rollout_options.hpp"

using namespace tfstage;
using namespace tfstage::capi;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// One run or resume on a rollout handle: the handle's cancel token for the run, the event
// callback serialised (a non-zero return cancels), and the run handle at the end.
class RolloutCall {
public:
    explicit RolloutCall(std::shared_ptr<tfs_rollout> handle)
        : handle_(std::move(handle)), busy_(handle_->run_mutex, std::try_to_lock),
          token_(std::make_shared<process::CancelToken>()) {
        if (!busy_.owns_lock())
            throw Error(ErrorCode::invalid_argument, "a run or resume is already in progress on this tfs_rollout");
        std::lock_guard lock(handle_->cancel_mutex);
        handle_->running = token_;
    }
    ~RolloutCall() {
        std::lock_guard lock(handle_->cancel_mutex);
        if (handle_->running == token_) handle_->running.reset();
    }
    RolloutCall(const RolloutCall&) = delete;
    RolloutCall& operator=(const RolloutCall&) = delete;

    void wire(rollout::RunOptions& options, tfs_event_cb callback, void* payload) {
        options.cancel = token_;
        options.ask = {};  // no terminal: a gate stops the run in awaiting_approval
        if (callback == nullptr) return;
        options.on_event = [this, callback, payload](const rollout::Event& event) {
            const std::string text = dump(ops::event_document(event));
            std::lock_guard serialise(callback_mutex_);
            if (callback(text.c_str(), payload) != 0) token_->cancel();
        };
    }

    static tfs_run* make_run(const rollout::RunResult& result) {
        auto run = std::make_shared<tfs_run>();
        run->id = result.run_id;
        run->status = result.status;
        run->outcome = rollout::run_outcome(result.status).c_status;
        run->journal_json = dump(ops::with_schema_version(result.journal));
        return runs().add(std::move(run));
    }

private:
    std::shared_ptr<tfs_rollout> handle_;
    std::unique_lock<std::mutex> busy_;
    std::shared_ptr<process::CancelToken> token_;
    std::mutex callback_mutex_;
};

int resume(tfs_rollout* rollout, const char* run_id, const char* stage, const char* options_json, tfs_event_cb callback,
           void* payload, tfs_run** out_run) {
    if (out_run != nullptr) *out_run = nullptr;
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        require(out_run, "out_run");
        auto options = run_options(*handle->rollout, options_json, false);
        if (stage != nullptr) {
            const std::string name = rollout::parse_approval(stage).stage;
            if (handle->rollout->find_stage(name) == nullptr)
                throw Error(ErrorCode::invalid_argument, "there is no stage '" + name + "' in " + handle->rollout->file.string());
            options.approve.insert(stage);
        }
        const fs::path state_dir = options.state_dir.empty() ? rollout::default_state_dir(*handle->rollout) : options.state_dir;
        RolloutCall call(handle);
        call.wire(options, callback, payload);
        const auto result = rollout::resume_rollout(state_dir, run_id == nullptr ? "" : run_id, std::move(options));
        *out_run = RolloutCall::make_run(result);
        return TFS_OK;
    });
}

template <class Body>
int with_run(const tfs_run* run, Body&& body) {
    return guard([&] {
        auto r = runs().get(run, "run");
        body(*r);
        return TFS_OK;
    });
}

}  // namespace

extern "C" {

int tfs_rollout_load(tfs_rollout** out, const char* path) {
    return guard([&] {
        require(out, "out");
        *out = nullptr;
        require(path, "path");
        auto handle = std::make_shared<tfs_rollout>();
        try {
            handle->rollout = std::make_shared<const rollout::Rollout>(rollout::load_rollout_file(path));
        } catch (const rollout::ValidationError& e) {
            std::vector<Diagnostic> diagnostics;
            for (const auto& p : e.problems()) diagnostics.push_back(rollout::to_diagnostic(p));
            throw Error(ErrorCode::parse_error, e.what(), std::move(diagnostics));
        }
        *out = rollouts().add(std::move(handle));
        return TFS_OK;
    });
}

void tfs_rollout_free(tfs_rollout* rollout) {
    (void)guard([&] {
        rollouts().remove(rollout);
        return TFS_OK;
    });
}

int tfs_rollout_run(tfs_rollout* rollout, const char* options_json, tfs_event_cb callback, void* payload, tfs_run** out_run) {
    if (out_run != nullptr) *out_run = nullptr;
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        require(out_run, "out_run");
        auto options = run_options(*handle->rollout, options_json, true);
        RolloutCall call(handle);
        call.wire(options, callback, payload);
        const auto result = rollout::run_rollout(*handle->rollout, std::move(options));
        *out_run = RolloutCall::make_run(result);
        return TFS_OK;
    });
}

int tfs_rollout_resume(tfs_rollout* rollout, const char* run_id, const char* options_json, tfs_event_cb callback,
                       void* payload, tfs_run** out_run) {
    return resume(rollout, run_id, nullptr, options_json, callback, payload, out_run);
}

int tfs_rollout_approve(tfs_rollout* rollout, const char* run_id, const char* stage, const char* options_json,
                        tfs_event_cb callback, void* payload, tfs_run** out_run) {
    if (stage == nullptr) {
        if (out_run != nullptr) *out_run = nullptr;
        return guard([] () -> int { throw Error(ErrorCode::invalid_argument, "stage is NULL"); });
    }
    return resume(rollout, run_id, stage, options_json, callback, payload, out_run);
}

int tfs_rollout_rollback(tfs_rollout* rollout, const char* run_id, const char* options_json, tfs_event_cb callback,
                         void* payload, tfs_run** out_run) {
    if (out_run != nullptr) *out_run = nullptr;
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        require(out_run, "out_run");
        require(run_id, "run_id");
        if (*run_id == '\0') throw Error(ErrorCode::invalid_argument, "run_id is empty: name the run to roll back");
        auto options = rollback_options(*handle->rollout, options_json);
        const fs::path state_dir = options.state_dir.empty() ? rollout::default_state_dir(*handle->rollout) : options.state_dir;
        RolloutCall call(handle);
        call.wire(options, callback, payload);
        const auto result = rollout::rollback_run(state_dir, run_id, std::move(options));
        *out_run = RolloutCall::make_run(result);
        return TFS_OK;
    });
}

int tfs_rollout_validate(const char* path, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return guard([&] {
        require(path, "path");
        require(out_json, "out_json");
        *out_json = dup_string(dump(ops::validate_rollout_file(path).to_json()));
        return TFS_OK;
    });
}

int tfs_rollout_cancel(tfs_rollout* rollout) {
    return guard([&] {
        auto handle = rollouts().get(rollout, "rollout");
        std::lock_guard lock(handle->cancel_mutex);
        if (handle->running) handle->running->cancel();
        return TFS_OK;
    });
}

void tfs_run_free(tfs_run* run) {
    (void)guard([&] {
        runs().remove(run);
        return TFS_OK;
    });
}

int tfs_run_id(const tfs_run* run, const char** out_id) {
    if (out_id != nullptr) *out_id = nullptr;
    return with_run(run, [&](const tfs_run& r) {
        require(out_id, "out_id");
        *out_id = r.id.c_str();
    });
}

int tfs_run_outcome(const tfs_run* run, int* out_status, const char** out_status_name) {
    if (out_status_name != nullptr) *out_status_name = nullptr;
    if (out_status != nullptr) *out_status = TFS_OK;
    return with_run(run, [&](const tfs_run& r) {
        require(out_status, "out_status");
        *out_status = r.outcome;
        if (out_status_name != nullptr) *out_status_name = r.status.c_str();
    });
}

int tfs_run_journal(const tfs_run* run, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return with_run(run, [&](const tfs_run& r) {
        require(out_json, "out_json");
        *out_json = dup_string(r.journal_json);
    });
}

}  // extern "C"
