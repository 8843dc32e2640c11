// Secrets out of text that is about to be stored or shown: every known secret (variable values,
// sensitive outputs) is replaced by <redacted>. Shared by every thread of a run.
#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>

namespace tfstage {

class Redactor {
public:
    // Short values are left alone: replacing "1" or "true" would garble everything.
    void add(const std::string& secret);
    std::string operator()(std::string text) const;

private:
    mutable std::mutex mutex_;
    std::set<std::string> secrets_;
};

// The last `max` bytes of a command's output, marked as cut when it was longer.
std::string tail_of(const std::string& text, std::size_t max = 2000);

}  // namespace tfstage
