#include "support/error.hpp"

namespace tfstage {

const char* to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::generic: return "error";
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::engine_failed: return "engine_failed";
        case ErrorCode::plan_stale: return "plan_stale";
        case ErrorCode::state_locked: return "state_locked";
        case ErrorCode::cancelled: return "cancelled";
        case ErrorCode::timeout: return "timeout";
        case ErrorCode::parse_error: return "parse_error";
        case ErrorCode::unsupported: return "unsupported";
        case ErrorCode::policy_violation: return "policy_violation";
        case ErrorCode::awaiting_approval: return "awaiting_approval";
        case ErrorCode::deadline_exceeded: return "deadline_exceeded";
        case ErrorCode::io: return "io";
        case ErrorCode::unconverged: return "unconverged";
    }
    return "error";
}

std::string Diagnostic::one_line() const {
    std::string out;
    if (!filename.empty()) {
        out += filename;
        if (line > 0) out += ":" + std::to_string(line);
        if (column > 0) out += ":" + std::to_string(column);
        out += ": ";
    }
    out += severity.empty() ? "error" : severity;
    out += ": ";
    out += summary;
    if (!detail.empty()) out += ": " + detail;
    return out;
}

}  // namespace tfstage
