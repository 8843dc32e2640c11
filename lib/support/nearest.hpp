// "Did you mean": the known word closest to a misspelt one, for the errors about unknown keys in
// rollout files and in the C ABI's JSON options.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfstage {

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, when it is close enough to be a typo (a distance of at most
// a third of the word, and at least 2); nullopt otherwise.
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace tfstage
