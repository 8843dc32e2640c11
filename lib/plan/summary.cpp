#include "plan/summary.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <simdjson.h>

#include "plan/json_scanner.hpp"
#include "support/error.hpp"

namespace tfstage::plan {
namespace {

namespace od = simdjson::ondemand;
using detail::JsonScanner;
using detail::ScanError;

void count(Counts& counts, ChangeKind kind, bool importing) {
    switch (kind) {
        case ChangeKind::no_op: ++counts.no_op; break;
        case ChangeKind::create: ++counts.create; break;
        case ChangeKind::read: ++counts.read; break;
        case ChangeKind::update: ++counts.update; break;
        case ChangeKind::delete_: ++counts.delete_; break;
        case ChangeKind::replace: ++counts.replace; break;
        case ChangeKind::forget: ++counts.forget; break;
    }
    if (importing) ++counts.import;
    if ((kind != ChangeKind::no_op && kind != ChangeKind::read) || importing) ++counts.total_changes;
}

void add(Summary& summary, ChangeEntry entry) {
    count(summary.overall, entry.kind, entry.importing);
    count(summary.modules[entry.module_address], entry.kind, entry.importing);
    if (entry.kind != ChangeKind::no_op || entry.importing) summary.changes.push_back(std::move(entry));
}

// ---- the streamed pass -----------------------------------------------------------------

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Error(ErrorCode::parse_error, "invalid plan JSON at " + (path.empty() ? std::string("the top level") : path) + ": " + what);
}

bool is_null(od::value value) { return value.type() == od::json_type::null; }

std::string string_of(od::value value) { return std::string(std::string_view(value.get_string())); }

// Reads change.actions and change.importing; `path` names the field being read on failure.
void read_change(od::value change, ChangeEntry& entry, bool& saw_actions, std::string& path) {
    std::string base = path;
    for (auto field : change.get_object()) {
        std::string_view key = field.unescaped_key();
        path = base + "." + std::string(key);
        if (key == "actions") {
            saw_actions = true;
            std::size_t i = 0;
            for (auto action : field.value().get_array()) {
                path = base + ".actions[" + std::to_string(i++) + "]";
                entry.actions.push_back(string_of(action.value()));
            }
        } else if (key == "importing") {
            od::value importing = field.value();
            entry.importing = !is_null(importing);
            if (entry.importing && importing.type() != od::json_type::object) fail(path, "expected an object");
        }
    }
    path = base;
}

ChangeEntry read_resource_change(od::value item, std::string& path) {
    std::string base = path;
    ChangeEntry entry;
    bool saw_address = false, saw_change = false, saw_actions = false;
    for (auto field : item.get_object()) {
        std::string_view key = field.unescaped_key();
        path = base + "." + std::string(key);
        od::value value = field.value();
        if (key == "address") {
            entry.address = string_of(value);
            saw_address = true;
        } else if (key == "module_address") {
            if (!is_null(value)) entry.module_address = string_of(value);
        } else if (key == "action_reason") {
            if (!is_null(value)) entry.action_reason = string_of(value);
        } else if (key == "change") {
            saw_change = true;
            read_change(value, entry, saw_actions, path);
        }
    }
    if (!saw_address) fail(base + ".address", "missing (a string is required)");
    if (!saw_change) fail(base + ".change", "missing (an object is required)");
    if (!saw_actions) fail(base + ".change.actions", "missing (an array of actions is required)");
    auto kind = kind_of_actions(entry.actions);
    if (!kind) fail(base + ".change.actions", "unknown combination of actions");
    entry.kind = *kind;
    path = base;
    return entry;
}

// One streamed pass over the plan. The scanner walks the top-level object; each element of
// resource_changes is reduced to the members read above (address, module_address,
// action_reason, and change with only actions and importing: the large before/after values
// are skipped by the scanner, never copied) and that small copy is parsed with simdjson by
// read_resource_change, so types, escapes and error paths are exactly simdjson's.
class StreamSummariser {
public:
    explicit StreamSummariser(JsonScanner& in) : in_(in) {}

    Summary run() {
        try {
            if (in_.at_end()) throw Error(ErrorCode::parse_error, "invalid plan JSON: the document is empty");
            if (in_.peek() != '{') fail("", "a value of the wrong type (expected an object)");
            in_.expect('{');
            bool saw_format_version = false;
            for_each_member([&](const std::string& raw_key) {
                const std::string key = decode_key(raw_key);
                path_ = key;
                if (key == "format_version") {
                    read_format_version();
                    saw_format_version = true;
                } else if (key == "resource_changes") {
                    read_resource_changes();
                } else {
                    in_.skip_value();
                }
            });
            path_.clear();
            if (!in_.at_end()) fail("", "unexpected text after the JSON document");
            if (!saw_format_version) fail("format_version", "missing (a string is required)");
        } catch (const simdjson::simdjson_error& e) {
            std::string what = e.error() == simdjson::INCORRECT_TYPE ? "a value of the wrong type" : simdjson::error_message(e.error());
            fail(path_, what + " (truncated or malformed JSON?)");
        } catch (const ScanError& e) {
            fail(path_, std::string(e.what()) + " (truncated or malformed JSON?)");
        }
        return std::move(summary_);
    }

private:
    // Calls on_member(raw key) for each member of the object whose '{' was just consumed, with
    // the scanner at the member's value; on_member consumes the value.
    template <typename OnMember>
    void for_each_member(OnMember on_member) {
        if (in_.consume('}')) return;
        do {
            std::string raw_key;
            in_.read_string(raw_key);
            in_.expect(':');
            on_member(raw_key);
        } while (in_.consume(','));
        in_.expect('}');
    }

    // A key as written ("..." with its quotes) to its text; simdjson decodes escaped ones.
    std::string decode_key(const std::string& raw) {
        if (raw.find('\\') == std::string::npos) return raw.substr(1, raw.size() - 2);
        od::document doc = parser_.iterate(pad(raw));
        return std::string(std::string_view(doc.get_string()));
    }

    // `text` in scratch_ with simdjson's padding after it.
    simdjson::padded_string_view pad(const std::string& text) {
        scratch_.assign(text);
        scratch_.append(simdjson::SIMDJSON_PADDING, ' ');
        return simdjson::padded_string_view(scratch_.data(), text.size(), scratch_.size());
    }

    void read_format_version() {
        std::string raw;
        in_.copy_value(raw);
        od::document doc = parser_.iterate(pad(raw));
        summary_.format_version = std::string(std::string_view(doc.get_string()));
        check_format_version(summary_.format_version, "plan");
    }

    void read_resource_changes() {
        if (in_.peek() == 'n') return in_.skip_value();  // null (anything else starting with n is an error)
        if (in_.peek() != '[') fail(path_, "a value of the wrong type (truncated or malformed JSON?)");
        in_.expect('[');
        if (in_.consume(']')) return;
        std::size_t i = 0;
        do {
            path_ = "resource_changes[" + std::to_string(i++) + "]";
            std::string element = reduced_resource_change();
            od::document doc = parser_.iterate(pad(element));
            for (auto item : doc.get_array()) {  // exactly one
                add(summary_, read_resource_change(item.value(), path_));
                break;
            }
        } while (in_.consume(','));
        in_.expect(']');
    }

    // The next resource change as a one-element JSON array holding only the members that
    // read_resource_change reads, in their order. Anything but an object is copied whole, for
    // simdjson to report its type.
    std::string reduced_resource_change() {
        const std::string base = path_;
        std::string out = "[";
        if (in_.peek() != '{') {
            in_.copy_value(out);
            return out + "]";
        }
        in_.expect('{');
        out += '{';
        bool first = true;
        for_each_member([&](const std::string& raw_key) {
            const std::string key = decode_key(raw_key);
            path_ = base + "." + key;
            if (key == "address" || key == "module_address" || key == "action_reason") {
                append_key(out, first, raw_key);
                in_.copy_value(out);
            } else if (key == "change") {
                append_key(out, first, raw_key);
                copy_change(out);
            } else {
                in_.skip_value();
            }
        });
        path_ = base;
        return out + "}]";
    }

    // change, keeping only actions and importing.
    void copy_change(std::string& out) {
        const std::string base = path_;
        if (in_.peek() != '{') return in_.copy_value(out);
        in_.expect('{');
        out += '{';
        bool first = true;
        for_each_member([&](const std::string& raw_key) {
            const std::string key = decode_key(raw_key);
            path_ = base + "." + key;
            if (key == "actions" || key == "importing") {
                append_key(out, first, raw_key);
                in_.copy_value(out);
            } else {
                in_.skip_value();
            }
        });
        out += '}';
        path_ = base;
    }

    static void append_key(std::string& out, bool& first, const std::string& raw_key) {
        if (!first) out += ',';
        first = false;
        out += raw_key;
        out += ':';
    }

    JsonScanner& in_;
    od::parser parser_;
    std::string scratch_;  // the padded copy simdjson parses
    std::string path_;     // the JSON path being read, for errors
    Summary summary_;
};

Summary summarise_stream(JsonScanner::Source source, std::size_t window) {
    JsonScanner in(std::move(source), window);
    return StreamSummariser(in).run();
}

// Reads `text` through the scanner's window (copies, like reading a file).
Summary summarise_utf8(std::string_view text, std::size_t window) {
    return summarise_stream(
        [text](char* into, std::size_t size) mutable {
            const std::size_t n = std::min(size, text.size());
            std::memcpy(into, text.data(), n);
            text.remove_prefix(n);
            return n;
        },
        window);
}

// An open file, closed on scope exit.
class File {
public:
    explicit File(const std::filesystem::path& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) throw Error(ErrorCode::io, "cannot read " + path.string() + ": " + std::strerror(errno));
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);  // a hint; failures do not matter
    }
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File() { ::close(fd_); }

    // Up to `size` bytes; 0 at the end of the file.
    std::size_t read(char* into, std::size_t size) {
        for (;;) {
            const ssize_t n = ::read(fd_, into, size);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) throw Error(ErrorCode::io, "cannot read " + path_.string() + ": " + std::strerror(errno));
        }
    }

    // Fills `into` unless the file ends first; returns the count.
    std::size_t read_full(char* into, std::size_t size) {
        std::size_t total = 0;
        while (total < size) {
            const std::size_t n = read(into + total, size - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

private:
    std::filesystem::path path_;
    int fd_;
};

// A byte order mark, or what looks like UTF-16 without one: to_utf8 converts (or explains).
bool needs_conversion(std::string_view bytes) {
    return bytes.starts_with("\xEF\xBB\xBF") || bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF") ||
           (bytes.size() >= 2 && (bytes[0] == '\0' || bytes[1] == '\0'));
}

}  // namespace

Summary summarise(const Plan& plan) {
    Summary summary;
    summary.format_version = plan.format_version;
    for (const auto& rc : plan.resource_changes)
        add(summary, {rc.address, rc.module_address, rc.change.actions, rc.change.kind, rc.action_reason, rc.change.importing});
    return summary;
}

Summary summarise_text(std::string_view json_text, std::size_t window) {
    if (json_text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(ErrorCode::parse_error, "invalid plan JSON: the document is empty");
    if (needs_conversion(json_text)) {
        const std::string utf8 = to_utf8(json_text);
        return summarise_utf8(utf8, window);
    }
    return summarise_utf8(json_text, window);
}

Summary summarise_file(const std::filesystem::path& path, std::size_t window) {
    try {
        File file(path);
        // The first bytes tell a byte order mark or UTF-16: then (rarely) convert the whole text.
        char head[3];
        const std::size_t head_size = file.read_full(head, sizeof head);
        if (needs_conversion(std::string_view(head, head_size))) {
            std::string text(head, head_size);
            std::vector<char> chunk(summary_window);
            while (std::size_t n = file.read(chunk.data(), chunk.size())) text.append(chunk.data(), n);
            return summarise_text(text, window);
        }
        std::size_t head_left = head_size;  // the head goes first, then the rest of the file
        return summarise_stream(
            [&](char* into, std::size_t size) {
                if (head_left == 0) return file.read(into, size);
                const std::size_t n = std::min(size, head_left);
                std::memcpy(into, head + (head_size - head_left), n);
                head_left -= n;
                return n;
            },
            window);
    } catch (const Error& e) {
        throw Error(e.code(), path.string() + ": " + e.what());
    }
}

}  // namespace tfstage::plan
