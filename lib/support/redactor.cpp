#include "support/redactor.hpp"

namespace tfstage {

void Redactor::add(const std::string& secret) {
    std::lock_guard lock(mutex_);
    if (secret.size() >= 4) secrets_.insert(secret);
}

std::string Redactor::operator()(std::string text) const {
    std::lock_guard lock(mutex_);
    for (const auto& secret : secrets_) {
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
            text.replace(pos, secret.size(), "<redacted>");
    }
    return text;
}

std::string tail_of(const std::string& text, std::size_t max) {
    return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

}  // namespace tfstage
