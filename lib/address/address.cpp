#include "address/address.hpp"

#include <algorithm>
#include <charconv>

#include "support/utf8.hpp"

namespace tfstage::address {
namespace {

bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;  // Terraform allows Unicode letters
}

bool is_ident_char(char c) {
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

// Recursive-descent parser over one address or pattern; every error names its column.
class Parser {
public:
    Parser(std::string_view text, bool allow_wildcards) : text_(text), wildcards_(allow_wildcards) {}

    Pattern parse() {
        if (text_.empty()) fail(AddressError::Kind::syntax, "expected a resource address, found an empty string");
        Pattern result;
        while (true) {
            if (wildcards_ && peek_word() == "**") {
                pos_ += 2;
                result.module_path.push_back({"**", {}});
            } else if (peek_word() == "module" && peek_at(pos_ + 6) == '.') {
                pos_ += 7;
                std::string name = name_or_wildcard("a module name");
                result.module_path.push_back({std::move(name), optional_key()});
            } else {
                result.resource = resource();
                break;
            }
            if (at_end()) break;
            expect('.', "'.' after a module step");
        }
        if (!at_end()) fail(AddressError::Kind::syntax, "expected the end of the address, found '" + rest() + "'");
        if (result.module_path.empty() && !result.resource)
            fail(AddressError::Kind::syntax, "expected a resource address");
        return result;
    }

private:
    ResourcePattern resource() {
        ResourcePattern r;
        if (peek_word() == "data" && peek_at(pos_ + 4) == '.') {
            r.mode = Mode::data;
            pos_ += 5;
        }
        r.type = name_or_wildcard("a resource type");
        if (at_end()) bare_type_error(r.type);
        expect('.', "'.' between the resource type and its name");
        r.name = name_or_wildcard("a resource name");
        r.key = optional_key();
        return r;
    }

    [[noreturn]] void bare_type_error(const std::string& type) {
        fail(AddressError::Kind::bare_type,
             "expected '.' and a resource name after the type '" + type + "': '" + std::string(text_) +
                 "' is a bare resource type, which Terraform rejects as a target (it needs TYPE.NAME);"
                 " tfstage can expand it to the matching addresses (`tfstage targets expand " +
                 std::string(text_) + "`)");
    }

    std::string name_or_wildcard(const std::string& what) {
        if (wildcards_ && peek_at(pos_) == '*') {
            if (peek_at(pos_ + 1) == '*') fail(AddressError::Kind::syntax, "'**' stands for module steps only, expected " + what);
            ++pos_;
            return "*";
        }
        return identifier(what);
    }

    std::string identifier(const std::string& what) {
        if (at_end() || !is_ident_start(text_[pos_])) fail(AddressError::Kind::syntax, "expected " + what + found());
        std::size_t start = pos_;
        while (!at_end() && is_ident_char(text_[pos_])) ++pos_;
        return std::string(text_.substr(start, pos_ - start));
    }

    KeyPattern optional_key() {
        if (peek_at(pos_) != '[') return {};
        ++pos_;
        KeyPattern key;
        char c = peek_at(pos_);
        if (wildcards_ && c == '*') {
            ++pos_;
            key.kind = KeyPattern::Kind::any;
        } else if (c == '"') {
            key = {KeyPattern::Kind::exact, InstanceKey::of(quoted_string())};
        } else if (c >= '0' && c <= '9') {
            key = {KeyPattern::Kind::exact, InstanceKey::of(integer())};
        } else {
            fail(AddressError::Kind::syntax, "expected an instance key (a non-negative integer or a quoted string)" + found());
        }
        expect(']', "']' to close the instance key");
        return key;
    }

    std::int64_t integer() {
        std::size_t start = pos_;
        while (!at_end() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
        std::string_view digits = text_.substr(start, pos_ - start);
        if (digits.size() > 1 && digits[0] == '0') fail_at(start, "expected an index without leading zeros, found '" + std::string(digits) + "'");
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || end != digits.data() + digits.size()) fail_at(start, "index '" + std::string(digits) + "' is too large");
        return value;
    }

    std::string quoted_string() {
        ++pos_;  // opening quote
        std::string out;
        while (true) {
            if (at_end()) fail(AddressError::Kind::syntax, "expected '\"' to close the string key, found the end of the address");
            char c = text_[pos_];
            if (c == '"') break;
            if (c == '\\') {
                escape(out);
            } else if ((c == '$' || c == '%') && peek_at(pos_ + 1) == c && peek_at(pos_ + 2) == '{') {
                out += c;  // `$${` and `%%{` stand for a literal `${` and `%{`
                pos_ += 2;
            } else {
                out += c;
                ++pos_;
            }
        }
        ++pos_;  // closing quote
        return out;
    }

    void escape(std::string& out) {
        std::size_t start = pos_;
        char e = peek_at(pos_ + 1);
        pos_ += 2;
        switch (e) {
            case 'n': out += '\n'; return;
            case 'r': out += '\r'; return;
            case 't': out += '\t'; return;
            case '"': out += '"'; return;
            case '\\': out += '\\'; return;
            case 'u': append_utf8(out, hex_digits(4, start)); return;
            case 'U': append_utf8(out, hex_digits(8, start)); return;
            default: fail_at(start, "expected an escape sequence (\\n, \\r, \\t, \\\", \\\\, \\uNNNN or \\UNNNNNNNN)");
        }
    }

    std::uint32_t hex_digits(std::size_t count, std::size_t escape_start) {
        std::uint32_t value = 0;
        std::string_view digits = text_.substr(pos_, std::min(count, text_.size() - pos_));
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
        if (digits.size() != count || ec != std::errc() || end != digits.data() + digits.size() || value > 0x10FFFF)
            fail_at(escape_start, "expected " + std::to_string(count) + " hex digits of a Unicode code point");
        pos_ += count;
        return value;
    }

    void expect(char c, const std::string& what) {
        if (peek_at(pos_) != c) fail(AddressError::Kind::syntax, "expected " + what + found());
        ++pos_;
    }

    std::string found() const {
        if (at_end()) return ", found the end of the address";
        return ", found '" + std::string(1, text_[pos_]) + "'";
    }

    std::string rest() const { return std::string(text_.substr(pos_)); }
    bool at_end() const { return pos_ >= text_.size(); }
    char peek_at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

    // The identifier-like word at the cursor (or "**").
    std::string_view peek_word() const {
        if (text_.substr(pos_, 2) == "**") return "**";
        std::size_t end = pos_;
        while (end < text_.size() && is_ident_char(text_[end])) ++end;
        return text_.substr(pos_, end - pos_);
    }

    [[noreturn]] void fail(AddressError::Kind kind, const std::string& what) const { fail_at(pos_, what, kind); }

    [[noreturn]] void fail_at(std::size_t at, const std::string& what,
                              AddressError::Kind kind = AddressError::Kind::syntax) const {
        int column = static_cast<int>(std::min(at, text_.size())) + 1;
        throw AddressError(kind, column,
                           "invalid resource address '" + std::string(text_) + "': column " + std::to_string(column) + ": " + what);
    }

    std::string_view text_;
    bool wildcards_;
    std::size_t pos_ = 0;
};

InstanceKey exact_key(const KeyPattern& key) { return key.kind == KeyPattern::Kind::exact ? key.key : InstanceKey{}; }

Address to_address(const Pattern& pattern) {
    Address address;
    for (const auto& step : pattern.module_path) address.module_path.push_back({step.name, exact_key(step.key)});
    if (pattern.resource) {
        const auto& r = *pattern.resource;
        address.resource = Resource{r.mode, r.type, r.name, exact_key(r.key)};
    }
    return address;
}

void append_quoted(std::string& out, const std::string& text) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        auto u = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if ((c == '$' || c == '%') && i + 1 < text.size() && text[i + 1] == '{') (out += c) += c;
        else if (u < 0x20 || u == 0x7f) (out += "\\u00") += {hex[u >> 4], hex[u & 0xF]};
        else out += c;
    }
    out += '"';
}

std::string key_pattern_text(const KeyPattern& key) {
    switch (key.kind) {
        case KeyPattern::Kind::unspecified: return "";
        case KeyPattern::Kind::any: return "[*]";
        case KeyPattern::Kind::exact: return to_string(key.key);
    }
    return "";
}

bool name_matches(const std::string& pattern, const std::string& name) { return pattern == "*" || pattern == name; }

bool key_matches(const KeyPattern& pattern, const InstanceKey& key) {
    switch (pattern.kind) {
        case KeyPattern::Kind::unspecified: return true;
        case KeyPattern::Kind::any: return !key.empty();
        case KeyPattern::Kind::exact: return pattern.key == key;
    }
    return false;
}

bool resource_matches(const ResourcePattern& p, const Resource& r) {
    return p.mode == r.mode && name_matches(p.type, r.type) && name_matches(p.name, r.name) && key_matches(p.key, r.key);
}

// Matches pattern steps [pi..] against address steps [ai..], then the resource part.
bool matches_from(const Pattern& p, std::size_t pi, const Address& a, std::size_t ai) {
    if (pi == p.module_path.size()) {
        if (ai != a.module_path.size()) return false;
        if (!p.resource) return !a.resource;
        return a.resource && resource_matches(*p.resource, *a.resource);
    }
    const auto& step = p.module_path[pi];
    if (step.is_any_depth()) {
        bool last = pi + 1 == p.module_path.size() && !p.resource;
        if (last) return true;  // a trailing `**` takes everything below
        for (std::size_t skip = ai; skip <= a.module_path.size(); ++skip)
            if (matches_from(p, pi + 1, a, skip)) return true;
        return false;
    }
    if (ai == a.module_path.size()) return false;
    const auto& actual = a.module_path[ai];
    return name_matches(step.name, actual.name) && key_matches(step.key, actual.key) && matches_from(p, pi + 1, a, ai + 1);
}

nlohmann::json key_json(const InstanceKey& key) {
    switch (key.kind) {
        case InstanceKey::Kind::none: return nullptr;
        case InstanceKey::Kind::integer: return key.integer;
        case InstanceKey::Kind::string: return key.text;
    }
    return nullptr;
}

}  // namespace

std::string Address::module_address() const {
    Address modules{module_path, std::nullopt};
    return module_path.empty() ? "" : to_string(modules);
}

bool Address::contains(const Address& other) const {
    if (module_path.size() > other.module_path.size()) return false;
    for (std::size_t i = 0; i < module_path.size(); ++i) {
        const auto& mine = module_path[i];
        const auto& theirs = other.module_path[i];
        if (mine.name != theirs.name) return false;
        if (!mine.key.empty() && mine.key != theirs.key) return false;
    }
    if (!resource) return true;
    if (!other.resource || module_path.size() != other.module_path.size()) return false;
    const auto& r = *resource;
    const auto& o = *other.resource;
    return r.mode == o.mode && r.type == o.type && r.name == o.name && (r.key.empty() || r.key == o.key);
}

bool Pattern::matches(const Address& address) const { return matches_from(*this, 0, address, 0); }

bool Pattern::covers(const Address& address) const {
    if (matches(address)) return true;
    if (resource) return false;  // a resource pattern without a key already takes every instance
    Pattern below = *this;
    below.module_path.push_back({"**", {}});
    return below.matches(address);
}

Address parse(std::string_view text) { return to_address(Parser(text, false).parse()); }

Pattern parse_pattern(std::string_view text) { return Parser(text, true).parse(); }

bool is_bare_type(std::string_view text) {
    try {
        parse(text);
    } catch (const AddressError& e) {
        return e.kind() == AddressError::Kind::bare_type;
    }
    return false;
}

std::string to_string(const InstanceKey& key) {
    switch (key.kind) {
        case InstanceKey::Kind::none: return "";
        case InstanceKey::Kind::integer: return "[" + std::to_string(key.integer) + "]";
        case InstanceKey::Kind::string: {
            std::string out = "[";
            append_quoted(out, key.text);
            return out + "]";
        }
    }
    return "";
}

std::string to_string(const Address& address) {
    Pattern pattern;
    for (const auto& step : address.module_path)
        pattern.module_path.push_back({step.name, step.key.empty() ? KeyPattern{} : KeyPattern{KeyPattern::Kind::exact, step.key}});
    if (address.resource) {
        const auto& r = *address.resource;
        pattern.resource = ResourcePattern{r.mode, r.type, r.name, r.key.empty() ? KeyPattern{} : KeyPattern{KeyPattern::Kind::exact, r.key}};
    }
    return to_string(pattern);
}

std::string to_string(const Pattern& pattern) {
    std::string out;
    auto separate = [&out] {
        if (!out.empty()) out += '.';
    };
    for (const auto& step : pattern.module_path) {
        separate();
        if (step.is_any_depth()) {
            out += "**";
            continue;
        }
        out += "module." + step.name + key_pattern_text(step.key);
    }
    if (pattern.resource) {
        const auto& r = *pattern.resource;
        separate();
        if (r.mode == Mode::data) out += "data.";
        out += r.type + "." + r.name + key_pattern_text(r.key);
    }
    return out;
}

nlohmann::json to_json(const Address& address) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& step : address.module_path) steps.push_back({{"name", step.name}, {"key", key_json(step.key)}});
    nlohmann::json resource = nullptr;
    if (address.resource) {
        const auto& r = *address.resource;
        resource = {{"mode", r.mode == Mode::data ? "data" : "managed"},
                    {"type", r.type},
                    {"name", r.name},
                    {"key", key_json(r.key)}};
    }
    return {{"address", to_string(address)},
            {"module_address", address.module_address()},
            {"module_path", steps},
            {"resource", resource}};
}

std::vector<Address> expand(std::string_view text, std::span<const Address> known) {
    Pattern pattern;
    try {
        pattern = parse_pattern(text);
    } catch (const AddressError& e) {
        if (e.kind() != AddressError::Kind::bare_type) throw;
        // `P.T` selects every resource of type T in P and below: the pattern `P.**.T.*`.
        pattern = parse_pattern(std::string(text) + ".*");
        pattern.module_path.push_back({"**", {}});
    }
    std::vector<Address> selected;
    for (const auto& address : known)
        if (pattern.matches(address) && std::find(selected.begin(), selected.end(), address) == selected.end())
            selected.push_back(address);
    return selected;
}

}  // namespace tfstage::address
