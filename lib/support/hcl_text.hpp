// Reading HCL (*.tf) text without a parser, for the few facts tfstage needs from it (module
// calls, variable declarations): comments blanked out, quoted strings skipped whole.
#pragma once

#include <cstddef>
#include <string>

namespace tfstage {

// The position of the quote that closes the string opened at `open` (text[open] == '"'), or of
// the end of its line when it is not closed there (a quoted HCL string ends at its line, so a
// stray quote hides at most the rest of one line), or text.size(); escapes are skipped.
std::size_t hcl_string_end(const std::string& text, std::size_t open);

// The text with its comments (#, //, /* */) blanked out, line breaks and strings kept: a block
// that is commented out is not there.
std::string hcl_without_comments(const std::string& text);

}  // namespace tfstage
