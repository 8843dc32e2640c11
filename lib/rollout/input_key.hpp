// The keyed hash of a stage's variable values in the journal (issue 11, item 6). Resume must
// know whether a stage's variables changed without the journal holding anything from which a
// weak secret could be guessed offline: a plain sha256 of "name=value" can be brute-forced, an
// HMAC-SHA256 under a random key kept beside the journal (not in it) cannot without the key.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tfstage::rollout {

// The 32-byte key in <state_dir>/secret.key (mode 0600). The first call makes it from the
// system's random source and publishes it atomically (a complete file linked to its name, which
// fails when another process got there first); every later call reads the same key.
std::string input_key(const std::filesystem::path& state_dir);

// The text that is hashed: one "name=value\n" line per variable, in name order.
std::string vars_text(const std::map<std::string, std::string>& vars);

// HMAC-SHA256 of `text` under the state directory's input_key, in lowercase hex.
std::string vars_hmac(const std::filesystem::path& state_dir, std::string_view text);

// A stage record journaled before vars_hmac existed has inputs.vars_sha256, the unsalted hash.
// When that hash matches `text` (the variables are unchanged), the record comes back with
// vars_hmac in its place, so that resume compares equal inputs and does not run the finished
// stage again; when it does not match, vars_sha256 is only dropped (the inputs differ anyway).
// Returns true when the record was changed.
bool upgrade_legacy_vars_hash(nlohmann::json& record, const std::filesystem::path& state_dir, std::string_view text);

}  // namespace tfstage::rollout
