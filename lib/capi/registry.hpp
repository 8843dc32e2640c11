// The registry of live handles, one per handle type: a mutex and a map from the pointer given
// to C to the object that owns it. A pointer is looked up before anything dereferences it, so
// NULL, freed and foreign handles give TFS_EINVAL instead of a crash. A lookup returns a
// shared_ptr: a handle freed by another thread during a call stays alive until the call ends.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "support/error.hpp"

namespace tfstage::capi {

template <class Handle>
class Registry {
public:
    explicit Registry(const char* type_name) : type_name_(type_name) {}

    // Takes ownership; returns the pointer handed to C.
    Handle* add(std::shared_ptr<Handle> handle) {
        Handle* key = handle.get();
        std::lock_guard lock(mutex_);
        live_.emplace(key, std::move(handle));
        return key;
    }

    // The live handle, or Error(invalid_argument) naming the type: NULL, freed, or never made.
    std::shared_ptr<Handle> get(const Handle* key, const char* argument) const {
        if (key == nullptr) throw Error(ErrorCode::invalid_argument, std::string(argument) + " (" + type_name_ + ") is NULL");
        std::lock_guard lock(mutex_);
        const auto found = live_.find(key);
        if (found == live_.end())
            throw Error(ErrorCode::invalid_argument, std::string(argument) + " is not a live " + type_name_ +
                                                         " (freed already, or not made by this library)");
        return found->second;
    }

    // Drops the registry's reference; the object dies with the last call using it. Unknown
    // pointers (and NULL) are ignored: freeing twice does nothing.
    std::shared_ptr<Handle> remove(const Handle* key) noexcept {
        if (key == nullptr) return nullptr;
        std::lock_guard lock(mutex_);
        const auto found = live_.find(key);
        if (found == live_.end()) return nullptr;
        auto handle = std::move(found->second);
        live_.erase(found);
        return handle;
    }

private:
    const char* type_name_;
    mutable std::mutex mutex_;
    std::unordered_map<const Handle*, std::shared_ptr<Handle>> live_;
};

}  // namespace tfstage::capi
