// The thread-local last error, the guard's exception mapping, status names and string frees.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <nlohmann/json.hpp>

#include "guard.hpp"
#include "support/diagnostic_json.hpp"
#include "terraform/engine.hpp"

namespace tfstage::capi {
namespace {

struct ErrorState {
    std::string message;
    std::string diagnostics;
    tfs_error view{TFS_OK, "", "[]"};
};

ErrorState& state() noexcept {
    thread_local ErrorState s;
    return s;
}

std::string diagnostics_json(const std::vector<Diagnostic>& diagnostics) {
    return to_json(diagnostics).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void set_error(int code, std::string_view message, const std::vector<Diagnostic>& diagnostics) noexcept {
    ErrorState& s = state();
    try {
        std::string m(message);
        std::string d = diagnostics_json(diagnostics);
        s.message.swap(m);
        s.diagnostics.swap(d);
        s.view = {code, s.message.c_str(), s.diagnostics.c_str()};
    } catch (...) {
        s.view = {code, "out of memory while recording an error", "[]"};
    }
}

int fail_from_current_exception() noexcept {
    try {
        throw;
    } catch (const Error& e) {
        set_error(static_cast<int>(e.code()), e.what(), e.diagnostics());
        return static_cast<int>(e.code());
    } catch (const std::bad_alloc&) {
        set_error(TFS_ERROR, "out of memory");
        return TFS_ERROR;
    } catch (const nlohmann::json::parse_error& e) {
        set_error(TFS_EPARSE, std::string("invalid JSON: ") + e.what());
        return TFS_EPARSE;
    } catch (const nlohmann::json::type_error& e) {
        set_error(TFS_EINVAL, std::string("a JSON value has the wrong type: ") + e.what());
        return TFS_EINVAL;
    } catch (const nlohmann::json::exception& e) {
        set_error(TFS_ERROR, std::string("JSON error: ") + e.what());
        return TFS_ERROR;
    } catch (const std::filesystem::filesystem_error& e) {
        set_error(TFS_EIO, e.what());
        return TFS_EIO;
    } catch (const std::system_error& e) {
        set_error(TFS_ERROR, e.what());
        return TFS_ERROR;
    } catch (const std::exception& e) {
        set_error(TFS_ERROR, std::string("internal error: ") + e.what());
        return TFS_ERROR;
    } catch (...) {
        set_error(TFS_ERROR, "internal error: an unknown exception");
        return TFS_ERROR;
    }
}

char* dup_string(std::string_view text) {
    auto* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (out == nullptr) throw std::bad_alloc();
    std::memcpy(out, text.data(), text.size());
    out[text.size()] = '\0';
    return out;
}

}  // namespace tfstage::capi

using namespace tfstage::capi;

extern "C" {

// The error accessors below (and tfs_version) are the only exported bodies outside guard():
// they allocate nothing and call nothing that throws, and they must work when guard() itself
// has just failed.
const char* tfs_status_name(int status) {
    switch (status) {
        case TFS_OK: return "TFS_OK";
        case TFS_ERROR: return "TFS_ERROR";
        case TFS_EINVAL: return "TFS_EINVAL";
        case TFS_ENOTFOUND: return "TFS_ENOTFOUND";
        case TFS_EENGINE: return "TFS_EENGINE";
        case TFS_ESTALE: return "TFS_ESTALE";
        case TFS_ELOCKED: return "TFS_ELOCKED";
        case TFS_ECANCELLED: return "TFS_ECANCELLED";
        case TFS_ETIMEOUT: return "TFS_ETIMEOUT";
        case TFS_EPARSE: return "TFS_EPARSE";
        case TFS_EUNSUPPORTED: return "TFS_EUNSUPPORTED";
        case TFS_EPOLICY: return "TFS_EPOLICY";
        case TFS_EAWAITING_APPROVAL: return "TFS_EAWAITING_APPROVAL";
        case TFS_EDEADLINE: return "TFS_EDEADLINE";
        case TFS_EIO: return "TFS_EIO";
        case TFS_EUNCONVERGED: return "TFS_EUNCONVERGED";
        default: return "TFS_UNKNOWN";
    }
}

const tfs_error* tfs_error_last(void) { return &state().view; }

void tfs_error_clear(void) {
    ErrorState& s = state();
    s.view = {TFS_OK, "", "[]"};
    s.message.clear();
    s.diagnostics.clear();
}

void tfs_string_free(char* string) { std::free(string); }

}  // extern "C"
