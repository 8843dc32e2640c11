// Hex text and sha256 of text: written once for the journal, plan gates and input keys.
// (sha256 of a file, streamed, is plan::sha256_file.)
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tfstage {

// Lower-case hex digits of `size` bytes.
std::string hex(const unsigned char* data, std::size_t size);

// The sha256 of text, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view text);

}  // namespace tfstage
