#include "support/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "support/error.hpp"

namespace tfstage {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error_number) {
    throw Error(ErrorCode::io, "cannot " + what + " " + path.string() + ": " + std::strerror(error_number));
}

// Closes the descriptor and removes the temporary file unless released after the rename.
class TempFile {
public:
    explicit TempFile(const std::filesystem::path& target) {
        const auto directory = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
        // Hidden and unique, in the target's directory so that rename() stays on one filesystem.
        std::string pattern = (directory / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        fd_ = ::mkostemp(buffer.data(), O_CLOEXEC);
        if (fd_ < 0) fail("create a temporary file for", target, errno);
        path_ = buffer.data();
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    void close_checked(const std::filesystem::path& target) {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("write", target, errno);
    }
    void release() { path_.clear(); }

private:
    int fd_ = -1;
    std::string path_;
};

void write_all(int fd, std::string_view contents, const std::filesystem::path& target) {
    while (!contents.empty()) {
        const ssize_t written = ::write(fd, contents.data(), contents.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            fail("write", target, errno);
        }
        contents.remove_prefix(static_cast<std::size_t>(written));
    }
}

// Makes the rename itself durable: without this a crash may bring the old name back.
void sync_directory(const std::filesystem::path& target) {
    const auto directory = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open the directory of", target, errno);
    const int result = ::fsync(fd);
    const int error_number = errno;
    ::close(fd);
    if (result != 0) fail("sync the directory of", target, error_number);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode) {
    TempFile temp(path);
    write_all(temp.fd(), contents, path);
    if (::fchmod(temp.fd(), mode) != 0) fail("set the mode of", path, errno);
    if (::fsync(temp.fd()) != 0) fail("sync", path, errno);
    temp.close_checked(path);
    if (::rename(temp.path().c_str(), path.c_str()) != 0) fail("replace", path, errno);
    temp.release();
    sync_directory(path);
}

}  // namespace tfstage
