// Rollout files: YAML, or JSON with the same structure (docs/rollout-file.md). Reading one
// validates everything that can be checked without running anything, and reports every
// problem at once, each with its file, line, column and key.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "rollout/model.hpp"

namespace tfstage::rollout {

// Throws Error(not_found) when the file cannot be read, ValidationError for its problems.
Rollout load_rollout_file(const std::filesystem::path& file);

// `file` names the text in messages; relative paths in it are resolved against its directory
// (made absolute against the current directory). Throws ValidationError.
Rollout parse_rollout(std::string_view text, const std::filesystem::path& file);

// "90s", "5m", "1h30m", "250ms", or a number of seconds ("30"); nullopt when it is none of them.
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace tfstage::rollout
