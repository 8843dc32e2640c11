// One engine command on behalf of a tfs_engine: a terraform::Engine made from the handle's
// settings with a fresh cancel token (tfs_engine_cancel reaches it) and the handle's event
// callback (serialised; a non-zero return cancels).
#pragma once

#include <memory>
#include <utility>

#include "handles.hpp"

namespace tfstage::capi {

class EngineCall {
public:
    explicit EngineCall(std::shared_ptr<tfs_engine> handle);
    ~EngineCall();
    EngineCall(const EngineCall&) = delete;
    EngineCall& operator=(const EngineCall&) = delete;

    terraform::Engine& engine() { return *engine_; }
    // The engine's `version -json`, cached in the handle's settings.
    const terraform::EngineInfo& info();

private:
    void deliver(const std::string& event_json);

    std::shared_ptr<tfs_engine> handle_;
    std::shared_ptr<process::CancelToken> token_;
    std::mutex call_mutex_;  // callbacks of this call never run at once
    std::unique_ptr<terraform::Engine> engine_;
};

}  // namespace tfstage::capi
