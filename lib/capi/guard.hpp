// The one guard every exported function body runs in: no C++ exception crosses the C ABI.
// A failure becomes a tfs_status plus the calling thread's last error (message and
// diagnostics); the body returns TFS_OK (or another status) when it does not throw.
#pragma once

#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"
#include "tfstage/common.h"

namespace tfstage::capi {

// Records the calling thread's last error. Never throws: when memory runs out the message
// falls back to a static one.
void set_error(int code, std::string_view message, const std::vector<Diagnostic>& diagnostics = {}) noexcept;

// The status and last error for whatever exception is in flight (call from a catch block).
int fail_from_current_exception() noexcept;

// Runs `body` (which returns an int status, normally TFS_OK) and turns any exception into a
// status. Nothing is allocated before the try.
template <class Body>
int guard(Body&& body) noexcept {
    try {
        return body();
    } catch (...) {
        return fail_from_current_exception();
    }
}

// Throws Error(invalid_argument) naming `what` when `pointer` is NULL.
inline void require(const void* pointer, const char* what) {
    if (pointer == nullptr) throw Error(ErrorCode::invalid_argument, std::string(what) + " is NULL");
}

// A copy of `text` the caller frees with tfs_string_free (malloc'd). Throws std::bad_alloc.
char* dup_string(std::string_view text);

}  // namespace tfstage::capi
