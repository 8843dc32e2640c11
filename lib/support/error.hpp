// The one error type of the C++ core. Every failure that reaches a user carries a code (the
// same numbers the C ABI returns), a message that says what went wrong and what to do, and,
// when the engine produced them, its diagnostics.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tfstage {

// Never renumber: these values cross the C ABI (include/tfstage/tfstage.h mirrors them).
enum class ErrorCode : int {
    generic = -1,
    invalid_argument = -2,
    not_found = -3,
    engine_failed = -4,
    plan_stale = -5,
    state_locked = -6,
    cancelled = -7,
    timeout = -8,
    parse_error = -9,
    unsupported = -10,
    policy_violation = -11,
    awaiting_approval = -12,
    deadline_exceeded = -13,
    io = -14,
    unconverged = -15,  // changes are left after a rollout (its final plan is not empty)
};

const char* to_string(ErrorCode code) noexcept;

// A diagnostic as Terraform reports it (validate -json, the -json UI stream).
struct Diagnostic {
    std::string severity;  // "error" or "warning"
    std::string summary;
    std::string detail;
    std::string filename;  // empty when the diagnostic has no source range
    int line = 0;
    int column = 0;
    std::string address;  // resource address the diagnostic is about, when given

    // "file:line:col: severity: summary" or just "severity: summary".
    std::string one_line() const;
};

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, std::vector<Diagnostic> diagnostics = {})
        : std::runtime_error(message), code_(code), diagnostics_(std::move(diagnostics)) {}

    ErrorCode code() const noexcept { return code_; }
    const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

private:
    ErrorCode code_;
    std::vector<Diagnostic> diagnostics_;
};

}  // namespace tfstage
