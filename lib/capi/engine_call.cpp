#include "engine_call.hpp"

#include "json_request.hpp"
#include "ops/event_documents.hpp"

namespace tfstage::capi {
using json = nlohmann::json;

EngineCall::EngineCall(std::shared_ptr<tfs_engine> handle)
    : handle_(std::move(handle)), token_(std::make_shared<process::CancelToken>()) {
    terraform::EngineOptions options = handle_->settings->options;
    options.cancel = token_;
    {
        std::lock_guard lock(handle_->settings->info_mutex);
        options.known_info = handle_->settings->info;
    }
    options.on_event = [this](const terraform::UiEvent& event) { deliver(dump(ops::engine_event_document(event))); };
    options.on_output = [this](process::Stream stream, std::string_view line) {
        deliver(dump(ops::output_line_document(stream, line)));
    };
    engine_ = std::make_unique<terraform::Engine>(std::move(options));
    std::lock_guard lock(handle_->cancel_mutex);
    handle_->running = token_;
}

EngineCall::~EngineCall() {
    std::lock_guard lock(handle_->cancel_mutex);
    if (handle_->running == token_) handle_->running.reset();
}

const terraform::EngineInfo& EngineCall::info() {
    const auto& info = engine_->info();
    std::lock_guard lock(handle_->settings->info_mutex);
    if (!handle_->settings->info) handle_->settings->info = info;
    return info;
}

void EngineCall::deliver(const std::string& event_json) {
    Callback callback;
    {
        std::lock_guard lock(handle_->callback_mutex);
        callback = handle_->callback;
    }
    if (callback.function == nullptr) return;
    std::lock_guard serialise(call_mutex_);
    if (callback.function(event_json.c_str(), callback.payload) != 0) token_->cancel();
}

}  // namespace tfstage::capi
