// The registry of live handles, one per handle type: a mutex and a map from the token given to
// C to the object that owns it. The pointer C holds is never the object's address: it is an
// opaque token (see next_token) that is never handed out twice while the process lives, and
// that is never dereferenced. So NULL, freed, foreign and wrong-type handles give TFS_EINVAL
// instead of a crash, and a freed handle stays refused even when a new object of the same type
// is made at the same address. A lookup returns a shared_ptr: a handle freed by another thread
// during a call stays alive until the call ends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "support/error.hpp"

namespace tfstage::capi {

// The next token, shared by every handle type (so a handle of one type is never a live handle
// of another). On 64-bit targets the token carries a tag in its top 16 bits, which makes it a
// non-canonical address that no real object can have (x86-64 and AArch64 both keep those bits
// equal for user-space pointers); the low 4 bits stay zero so the value is as aligned as any
// handle type. A 48-bit counter outlives any process.
inline std::uintptr_t next_token() noexcept {
    static std::atomic<std::uint64_t> counter{0};
    const std::uint64_t id = counter.fetch_add(1, std::memory_order_relaxed) + 1;
    if constexpr (sizeof(std::uintptr_t) >= 8) {
        constexpr std::uint64_t tag = 0x7f5aULL << 48;
        return static_cast<std::uintptr_t>(tag | ((id << 4) & 0x0000ffffffffffffULL));
    } else {
        return static_cast<std::uintptr_t>(id << 4);
    }
}

template <class Handle>
class Registry {
public:
    explicit Registry(const char* type_name) : type_name_(type_name) {}

    // Takes ownership; returns the token handed to C (never the object's address, never
    // dereferenced, never reused).
    Handle* add(std::shared_ptr<Handle> handle) {
        const std::uintptr_t token = next_token();
        std::lock_guard lock(mutex_);
        live_.emplace(token, std::move(handle));
        return reinterpret_cast<Handle*>(token);  // NOLINT: an opaque token, only compared
    }

    // The live handle, or Error(invalid_argument) naming the type: NULL, freed, or never made.
    std::shared_ptr<Handle> get(const Handle* key, const char* argument) const {
        if (key == nullptr) throw Error(ErrorCode::invalid_argument, std::string(argument) + " (" + type_name_ + ") is NULL");
        std::lock_guard lock(mutex_);
        const auto found = live_.find(reinterpret_cast<std::uintptr_t>(key));
        if (found == live_.end())
            throw Error(ErrorCode::invalid_argument, std::string(argument) + " is not a live " + type_name_ +
                                                         " (freed already, of another type, or not made by this library)");
        return found->second;
    }

    // Drops the registry's reference; the object dies with the last call using it. Unknown
    // tokens (and NULL) are ignored: freeing twice does nothing.
    std::shared_ptr<Handle> remove(const Handle* key) noexcept {
        if (key == nullptr) return nullptr;
        std::lock_guard lock(mutex_);
        const auto found = live_.find(reinterpret_cast<std::uintptr_t>(key));
        if (found == live_.end()) return nullptr;
        auto handle = std::move(found->second);
        live_.erase(found);
        return handle;
    }

private:
    const char* type_name_;
    mutable std::mutex mutex_;
    std::unordered_map<std::uintptr_t, std::shared_ptr<Handle>> live_;
};

}  // namespace tfstage::capi
