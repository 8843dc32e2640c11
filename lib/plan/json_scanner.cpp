#include "plan/json_scanner.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tfstage::plan::detail {
namespace {

// Bytes that end the fast loop inside a string: the closing quote, a backslash, or a control
// character (which JSON requires to be escaped).
constexpr std::array<bool, 256> string_stops = [] {
    std::array<bool, 256> stops{};
    for (int c = 0; c < 0x20; ++c) stops[c] = true;
    stops['"'] = true;
    stops['\\'] = true;
    return stops;
}();

// The characters after a backslash that make a whole escape (\u needs four hex digits more).
constexpr std::array<bool, 256> simple_escapes = [] {
    std::array<bool, 256> escapes{};
    for (unsigned char c : {'"', '\\', '/', 'b', 'f', 'n', 'r', 't'}) escapes[c] = true;
    return escapes;
}();

bool is_whitespace(int c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The length of bytes[0, size) without a trailing incomplete UTF-8 sequence (which the next
// window completes). Invalid bytes are left in: simdjson::validate_utf8 reports them.
std::size_t complete_utf8_prefix(const char* bytes, std::size_t size) {
    for (std::size_t back = 1; back <= 3 && back <= size; ++back) {
        auto byte = static_cast<unsigned char>(bytes[size - back]);
        if ((byte & 0xC0) == 0x80) continue;  // a continuation byte: look further back
        if (byte < 0xC0) return size;         // ASCII
        std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
        return length > back ? size - back : size;
    }
    return size;
}

// The offset of the first byte of bytes[0, size) that is not part of well-formed UTF-8
// (Unicode's table 3-7: no overlong forms, surrogates or code points above U+10FFFF), or
// `size`. Only used to place an error once simdjson::validate_utf8 has found one.
std::size_t first_invalid_utf8(const char* bytes, std::size_t size) {
    const auto* s = reinterpret_cast<const unsigned char*>(bytes);
    std::size_t i = 0;
    while (i < size) {
        const unsigned lead = s[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned low = 0x80, high = 0xBF;  // the range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) length = 2;
        else if (lead == 0xE0) length = 3, low = 0xA0;
        else if (lead == 0xED) length = 3, high = 0x9F;
        else if (lead >= 0xE1 && lead <= 0xEF) length = 3;
        else if (lead == 0xF0) length = 4, low = 0x90;
        else if (lead == 0xF4) length = 4, high = 0x8F;
        else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
        else return i;
        if (i + length > size || s[i + 1] < low || s[i + 1] > high) return i;
        for (std::size_t k = 2; k < length; ++k)
            if ((s[i + k] & 0xC0) != 0x80) return i;
        i += length;
    }
    return size;
}

// 8 bytes at a time: a mask with the high bit of each byte that is '"', '\\' or below 0x20
// (the classic "has zero byte" bit trick; the lowest flagged byte is always a real one, bytes
// above it may be flagged wrongly, so only the lowest is used).
std::uint64_t string_stops_in(std::uint64_t word) {
    constexpr std::uint64_t ones = 0x0101010101010101, highs = 0x8080808080808080;
    const auto zero_bytes = [](std::uint64_t v) { return (v - ones) & ~v & highs; };
    return zero_bytes(word ^ (ones * '"')) | zero_bytes(word ^ (ones * '\\')) | ((word - ones * 0x20) & ~word & highs);
}

#if defined(__SSE2__)
// For a 32-byte block at `p`: bit i of a mask describes byte i.
struct BlockMasks {
    std::uint32_t backslash = 0;
    std::uint32_t quote = 0;
    std::uint32_t control = 0;  // below 0x20
};

std::uint32_t bits_of(__m128i low, __m128i high) {
    return static_cast<std::uint32_t>(_mm_movemask_epi8(low)) | static_cast<std::uint32_t>(_mm_movemask_epi8(high)) << 16;
}

__m128i load16(const char* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

BlockMasks block_masks(const char* p) {
    const __m128i a = load16(p), b = load16(p + 16);
    const __m128i backslash = _mm_set1_epi8('\\'), quote = _mm_set1_epi8('"'), below_space = _mm_set1_epi8(0x1F);
    BlockMasks m;
    m.backslash = bits_of(_mm_cmpeq_epi8(a, backslash), _mm_cmpeq_epi8(b, backslash));
    m.quote = bits_of(_mm_cmpeq_epi8(a, quote), _mm_cmpeq_epi8(b, quote));
    // unsigned c <= 0x1F  <=>  max(c, 0x1F) == 0x1F
    m.control = bits_of(_mm_cmpeq_epi8(_mm_max_epu8(a, below_space), below_space), _mm_cmpeq_epi8(_mm_max_epu8(b, below_space), below_space));
    return m;
}

// The bytes of the block equal to one of Chars.
template <char... Chars>
std::uint32_t any_of(const char* p) {
    const auto equal_any = [](__m128i v) {
        __m128i any = _mm_setzero_si128();
        ((any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(Chars)))), ...);
        return any;
    };
    return bits_of(equal_any(load16(p)), equal_any(load16(p + 16)));
}

// Which bytes of a block are escaped (follow an escaping backslash), given the block's
// backslashes and whether its first byte is escaped (`carry`, updated for the next block).
// simdjson's escape scanner on 32 bits: in each run of backslashes, every other one escapes
// the next byte; the subtraction finds the runs' parity in one step.
std::uint32_t escaped_bytes(std::uint32_t backslash, std::uint32_t& carry) {
    constexpr std::uint32_t odd_bits = 0xAAAAAAAA;
    if (backslash == 0) return std::exchange(carry, 0u);
    const std::uint32_t potential = backslash & ~carry;  // an escaped backslash escapes nothing
    const std::uint32_t code = (((potential << 1) | odd_bits) - potential) ^ odd_bits;
    const std::uint32_t escaped = code ^ (backslash | carry);
    carry = (code & backslash) >> 31;  // the last byte is an escaping backslash
    return escaped;
}
#endif

std::string describe(int c) {
    if (c == -1) return "the end of the input";
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    constexpr const char* digits = "0123456789ABCDEF";
    return std::string("byte 0x") + digits[(c >> 4) & 0xF] + digits[c & 0xF];
}

}  // namespace

JsonScanner::JsonScanner(Source source, std::size_t window)
    : source_(std::move(source)), buffer_(std::max(window, min_window)) {
    pos_ = end_ = buffer_.data();
}

std::size_t JsonScanner::offset() const { return dropped_ + static_cast<std::size_t>(pos_ - buffer_.data()); }

void JsonScanner::error(const std::string& what) const { throw ScanError(what + " at byte " + std::to_string(offset())); }

bool JsonScanner::refill() {
    if (invalid_utf8_) error("invalid UTF-8");  // end_ stopped at the bad byte
    char* data = buffer_.data();
    if (capture_) capture_->append(capture_from_, end_);
    // Keep the incomplete UTF-8 sequence at the end (0-3 bytes), read more after it.
    const auto used = static_cast<std::size_t>(end_ - data);
    const std::size_t carried = filled_ - used;
    std::memmove(data, end_, carried);
    dropped_ += used;
    filled_ = carried;
    std::size_t visible = 0;
    while (!eof_) {
        std::size_t got = source_(data + filled_, buffer_.size() - filled_);
        if (got == 0) eof_ = true;
        filled_ += got;
        visible = eof_ ? filled_ : complete_utf8_prefix(data, filled_);
        if (visible > 0) break;
    }
    if (eof_) visible = filled_;
    pos_ = capture_from_ = data;
    end_ = data + visible;
    if (!simdjson::validate_utf8(data, visible)) {
        // Scan up to the bad byte, so that the error comes with the path of the value it is in.
        invalid_utf8_ = true;
        end_ = data + first_invalid_utf8(data, visible);
        if (end_ == data) error("invalid UTF-8");
    }
    return visible > 0;
}

void JsonScanner::skip_whitespace() {
    for (;;) {
        while (pos_ != end_ && is_whitespace(static_cast<unsigned char>(*pos_))) ++pos_;
        if (pos_ != end_ || !refill()) return;
    }
}

int JsonScanner::peek() {
    skip_whitespace();
    return peek_raw();
}

bool JsonScanner::consume(char c) {
    if (peek() != static_cast<unsigned char>(c)) return false;
    ++pos_;
    return true;
}

void JsonScanner::expect(char c) {
    if (!consume(c)) error(std::string("expected '") + c + "', found " + describe(peek_raw()));
}

void JsonScanner::read_string(std::string& raw) {
    if (peek() != '"') error("expected a string, found " + describe(peek_raw()));
    capture_ = &raw;
    capture_from_ = pos_;
    ++pos_;
    skip_string_body();
    raw.append(capture_from_, pos_);
    capture_ = nullptr;
}

void JsonScanner::copy_value(std::string& raw) {
    skip_whitespace();
    capture_ = &raw;
    capture_from_ = pos_;
    skip_value();
    raw.append(capture_from_, pos_);
    capture_ = nullptr;
}

#if defined(__SSE2__)
// Skips string bytes 32 at a time, escapes included, while the window holds enough; true when
// it consumed the closing quote. Otherwise pos_ is left at a byte for the scalar loop (never
// in the middle of an escape: a backslash that escapes the next block's first byte is left
// unconsumed).
bool JsonScanner::skip_string_blocks() {
    constexpr std::ptrdiff_t block = 32, lookahead = 4;  // \uXXXX's digits may run past the block
    const char* p = pos_;
    std::uint32_t carry = 0;
    while (end_ - p >= block + lookahead) {
        const BlockMasks m = block_masks(p);
        const std::uint32_t escaped = escaped_bytes(m.backslash, carry);
        const std::uint32_t closing = m.quote & ~escaped;
        const std::uint32_t inside = closing ? (closing & (0u - closing)) - 1 : ~0u;  // bytes before the closing quote
        if (const std::uint32_t controls = m.control & inside) {
            pos_ = p + std::countr_zero(controls);
            error("a control character in a string (it must be escaped)");
        }
        if (const std::uint32_t letters = escaped & inside) {
            if (const std::uint32_t bad = letters & ~any_of<'"', '\\', '/', 'b', 'f', 'n', 'r', 't', 'u'>(p)) {
                pos_ = p + std::countr_zero(bad) - 1;
                error(std::string("invalid escape in a string: \\ followed by ") + describe(static_cast<unsigned char>(pos_[1])));
            }
            for (std::uint32_t u = letters & any_of<'u'>(p); u; u &= u - 1) {  // \u: four hex digits
                const char* letter = p + std::countr_zero(u);
                if (!(is_hex_digit(letter[1]) && is_hex_digit(letter[2]) && is_hex_digit(letter[3]) && is_hex_digit(letter[4]))) {
                    pos_ = letter - 1;
                    error("invalid \\u escape in a string (four hex digits are needed)");
                }
            }
        }
        if (closing) {
            pos_ = p + std::countr_zero(closing) + 1;
            return true;
        }
        p += block;
    }
    pos_ = carry ? p - 1 : p;  // back to the escaping backslash, for the scalar loop
    return false;
}
#endif

// The hot loop: nearly all of a large plan is string bytes inside values nobody reads, and
// the policy documents in it are dense with escapes (\" and \u003c), so both are fast here.
void JsonScanner::skip_string_body() {
    for (;;) {
#if defined(__SSE2__)
        if (skip_string_blocks()) return;
#endif
        const char* p = pos_;
        const char* const end = end_;
        if constexpr (std::endian::native == std::endian::little) {
            while (end - p >= 8) {
                std::uint64_t word;
                std::memcpy(&word, p, sizeof word);
                if (const std::uint64_t stops = string_stops_in(word)) {
                    p += std::countr_zero(stops) / 8;
                    break;
                }
                p += 8;
            }
        }
        while (p != end && !string_stops[static_cast<unsigned char>(*p)]) ++p;
        pos_ = p;
        if (p == end) {
            if (!refill()) error("unterminated string: the input ends");
            continue;
        }
        const char c = *pos_++;
        if (c == '"') return;
        if (c != '\\') error("a control character in a string (it must be escaped)");
        if (end - pos_ >= 5) {  // the common case: the whole escape is in the window
            if (simple_escapes[static_cast<unsigned char>(pos_[0])]) {
                ++pos_;
                continue;
            }
            if (pos_[0] == 'u' && is_hex_digit(pos_[1]) && is_hex_digit(pos_[2]) && is_hex_digit(pos_[3]) && is_hex_digit(pos_[4])) {
                pos_ += 5;
                continue;
            }
        }
        skip_escape();  // byte by byte, across the window's edge, or an error
    }
}

void JsonScanner::skip_escape() {
    const int c = get_raw();
    switch (c) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return;
        case 'u':
            for (int i = 0; i < 4; ++i)
                if (!is_hex_digit(get_raw())) error("invalid \\u escape in a string (four hex digits are needed)");
            return;
        default: error("invalid escape in a string: \\ followed by " + describe(c));
    }
}

void JsonScanner::skip_number() {
    if (peek_raw() == '-') ++pos_;
    const int first = get_raw();
    if (!is_digit(first)) error("invalid number");
    if (first != '0')
        while (is_digit(peek_raw())) ++pos_;
    if (peek_raw() == '.') {
        ++pos_;
        if (!is_digit(get_raw())) error("invalid number: a digit must follow '.'");
        while (is_digit(peek_raw())) ++pos_;
    }
    if (peek_raw() == 'e' || peek_raw() == 'E') {
        ++pos_;
        if (peek_raw() == '+' || peek_raw() == '-') ++pos_;
        if (!is_digit(get_raw())) error("invalid number: a digit must follow the exponent");
        while (is_digit(peek_raw())) ++pos_;
    }
}

void JsonScanner::skip_literal(const char* word) {
    for (const char* w = word; *w; ++w)
        if (get_raw() != static_cast<unsigned char>(*w)) error(std::string("invalid literal (expected ") + word + ")");
}

void JsonScanner::expect_key() {
    if (peek() != '"') error("expected a string (an object key), found " + describe(peek_raw()));
    ++pos_;
    skip_string_body();
    expect(':');
}

// One value, iteratively: `open_` holds the containers entered since this call began.
void JsonScanner::skip_value() {
    const std::size_t base = open_.size();
    for (;;) {
        // A value starts here.
        const int c = peek();
        switch (c) {
            case '"': ++pos_; skip_string_body(); break;
            case '{':
                ++pos_;
                if (consume('}')) break;
                open_.push_back('{');
                expect_key();
                continue;  // the member's value
            case '[':
                ++pos_;
                if (consume(']')) break;
                open_.push_back('[');
                continue;  // the first element
            case 't': skip_literal("true"); break;
            case 'f': skip_literal("false"); break;
            case 'n': skip_literal("null"); break;
            default:
                if (c == '-' || is_digit(c)) {
                    skip_number();
                    break;
                }
                error("expected a JSON value, found " + describe(c));
        }
        // A value ended: close the containers it ends, or go on to the next member or element.
        for (;;) {
            if (open_.size() == base) return;
            const char container = open_.back();
            if (consume(',')) {
                if (container == '{') expect_key();
                break;
            }
            if (!consume(container == '{' ? '}' : ']'))
                error(std::string("expected ',' or '") + (container == '{' ? '}' : ']') + "', found " + describe(peek_raw()));
            open_.pop_back();
        }
    }
}

}  // namespace tfstage::plan::detail
