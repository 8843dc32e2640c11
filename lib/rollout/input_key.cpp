#include "rollout/input_key.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>

#include "support/digest.hpp"
#include "support/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

constexpr std::size_t kKeySize = 32;

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
    throw Error(ErrorCode::io, what + " " + path.string() + ": " + std::strerror(errno));
}

// The key file's bytes, or "" when there is none yet.
std::string read_key(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return {};
        fail("cannot read the input key", path);
    }
    std::string key(kKeySize + 1, '\0');
    std::size_t got = 0;
    while (got < key.size()) {
        const ssize_t n = ::read(fd, key.data() + got, key.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            fail("cannot read the input key", path);
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got != kKeySize)
        throw Error(ErrorCode::io, "the input key " + path.string() + " is damaged (" + std::to_string(got) +
                                       " bytes, expected 32): remove it; finished stages then run again on resume");
    key.resize(kKeySize);
    return key;
}

// A new random key, written complete to a private temporary file and linked to `path`:
// link() fails with EEXIST when another process published its key first, and then that one is
// the key.
void publish_key(const fs::path& path) {
    unsigned char bytes[kKeySize];
    if (RAND_bytes(bytes, static_cast<int>(kKeySize)) != 1)
        throw Error(ErrorCode::generic, "the system's random source gave no key for " + path.string());
    const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + hex(bytes, 4);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail("cannot create", tmp);
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < kKeySize) {
        const ssize_t n = ::write(fd, bytes + done, kKeySize - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(tmp.c_str());
        errno = saved;
        fail("cannot write", tmp);
    }
    const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    if (!linked && link_errno != EEXIST) {
        errno = link_errno;
        fail("cannot create the input key", path);
    }
}

}  // namespace

std::string input_key(const fs::path& state_dir) {
    const fs::path path = state_dir / "secret.key";
    std::string key = read_key(path);
    if (!key.empty()) return key;
    std::error_code ec;
    fs::create_directories(state_dir, ec);
    publish_key(path);
    return read_key(path);
}

std::string vars_text(const std::map<std::string, std::string>& vars) {
    std::string text;
    for (const auto& [name, value] : vars) text += name + "=" + value + "\n";
    return text;
}

std::string vars_hmac(const fs::path& state_dir, std::string_view text) {
    const std::string key = input_key(state_dir);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(text.data()),
             text.size(), digest, &size) == nullptr)
        throw Error(ErrorCode::generic, "HMAC-SHA256 failed");
    return hex(digest, size);
}

bool upgrade_legacy_vars_hash(json& record, const fs::path& state_dir, std::string_view text) {
    if (!record.is_object() || !record.contains("inputs") || !record["inputs"].is_object()) return false;
    json& inputs = record["inputs"];
    if (!inputs.contains("vars_sha256")) return false;
    const bool same = inputs["vars_sha256"].is_string() && inputs["vars_sha256"].get<std::string>() == sha256_hex(text);
    inputs.erase("vars_sha256");
    inputs["vars_hmac"] = same ? vars_hmac(state_dir, text) : std::string("changed");
    return true;
}

}  // namespace tfstage::rollout
