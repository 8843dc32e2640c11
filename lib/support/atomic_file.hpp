// Writing a file so that readers see either the old contents or the new, never a torn mix:
// a temporary file in the same directory, fsync, rename over the target, fsync the directory.
// Used for plan provenance records and the rollout journal.
#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace tfstage {

// Replaces `path` with `contents`, created with permission bits `mode` (umask not applied).
// Throws Error(io) naming the path and the system error; the temporary file is removed on
// failure and the previous contents of `path` stay intact.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents, mode_t mode = 0600);

}  // namespace tfstage
