// A small forward-only JSON scanner over a byte stream, for the plan summary fast path
// (summary.cpp). Internal to lib/plan.
//
// It never holds more than one window of the input (default 1 MiB): the bytes are read from a
// Source into a fixed buffer, scanned, and dropped. It understands just enough JSON to walk
// the top-level object and to skip or copy whole values:
//   - strings: escapes (\" \\ \/ \b \f \n \r \t \uXXXX), no raw control characters;
//   - arrays and objects: nesting of any depth (an explicit stack, no recursion), commas,
//     colons and string keys in the right places;
//   - numbers (the JSON grammar) and the literals true, false and null;
//   - UTF-8: every window is validated with simdjson::validate_utf8 (a window ends before an
//     incomplete multi-byte sequence, which is carried to the next one); the error is raised
//     when the scan reaches the bad byte, so the caller knows which value holds it.
// It does not decode strings (copy_value and read_string give their raw text) nor check
// \u surrogate pairs: the few values the summary reads are handed to simdjson, which does.
//
// Errors are ScanError, naming the byte offset; the caller adds the JSON path.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tfstage::plan::detail {

struct ScanError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class JsonScanner {
public:
    // Writes up to `size` bytes at `into` and returns how many; 0 means the end of the input.
    // May throw (e.g. Error(io)); the exception goes through the scanner unchanged.
    using Source = std::function<std::size_t(char* into, std::size_t size)>;

    static constexpr std::size_t default_window = std::size_t{1} << 20;
    static constexpr std::size_t min_window = 4;  // the longest UTF-8 sequence

    explicit JsonScanner(Source source, std::size_t window = default_window);

    // The next byte after whitespace (not consumed), or -1 at the end of the input.
    int peek();
    // After whitespace: consumes `c` if it comes next.
    bool consume(char c);
    // After whitespace: consumes `c`, or throws ScanError.
    void expect(char c);
    // True when only whitespace is left.
    bool at_end() { return peek() == -1; }

    // After whitespace: a string token, appended to `raw` as written (quotes included, escapes
    // as they are).
    void read_string(std::string& raw);
    // After whitespace: one whole JSON value, checked and dropped.
    void skip_value();
    // After whitespace: one whole JSON value, checked and appended to `raw` as written.
    void copy_value(std::string& raw);

    // Bytes consumed so far (for error messages).
    std::size_t offset() const;

private:
    [[noreturn]] void error(const std::string& what) const;

    // Makes more input visible once [pos_, end_) is used up; false at the end of the input.
    bool refill();
    // The next byte without skipping whitespace, or -1 at the end.
    int peek_raw() { return pos_ != end_ || refill() ? static_cast<unsigned char>(*pos_) : -1; }
    int get_raw() { return pos_ != end_ || refill() ? static_cast<unsigned char>(*pos_++) : -1; }
    void skip_whitespace();
    void skip_string_body();  // after the opening quote, up to and including the closing one
    bool skip_string_blocks();  // its fast part (SSE2)
    void skip_escape();       // after the backslash
    void skip_number();
    void skip_literal(const char* word);
    void expect_key();  // a string then ':'

    Source source_;
    std::vector<char> buffer_;
    std::size_t filled_ = 0;      // bytes of buffer_ holding input
    const char* pos_ = nullptr;   // next byte to scan
    const char* end_ = nullptr;   // end of the visible (UTF-8-validated) bytes; <= buffer_ + filled_
    std::size_t dropped_ = 0;     // input bytes before buffer_[0]
    bool eof_ = false;
    bool invalid_utf8_ = false;   // end_ is at a byte that is not UTF-8
    std::string* capture_ = nullptr;  // copy_value's output while it runs
    const char* capture_from_ = nullptr;
    std::vector<char> open_;  // skip_value's open containers: '{' or '['
};

}  // namespace tfstage::plan::detail
