// Terraform resource addresses: parse, print, contain, match, expand.
//
//   module.a["x y"].module.b[0].aws_instance.web[2]
//   module.a.data.aws_ami.ubuntu
//   module.a                      (a module on its own)
//
// Patterns add `*` (one module name, type, name or key) and `**` (any number of module steps;
// at the end, everything below): `module.*.aws_sns_topic.*`, `module.data_stores.**`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/error.hpp"

namespace tfstage::address {

// A count index (integer), a for_each key (string), or nothing.
struct InstanceKey {
    enum class Kind { none, integer, string };
    Kind kind = Kind::none;
    std::int64_t integer = 0;
    std::string text;

    static InstanceKey none() { return {}; }
    static InstanceKey of(std::int64_t index) { return {Kind::integer, index, {}}; }
    static InstanceKey of(std::string key) { return {Kind::string, 0, std::move(key)}; }

    bool empty() const { return kind == Kind::none; }
    bool operator==(const InstanceKey&) const = default;
};

struct ModuleStep {
    std::string name;
    InstanceKey key;
    bool operator==(const ModuleStep&) const = default;
};

enum class Mode { managed, data };

struct Resource {
    Mode mode = Mode::managed;
    std::string type;
    std::string name;
    InstanceKey key;
    bool operator==(const Resource&) const = default;
};

// A module instance path, optionally followed by a resource (or resource instance).
struct Address {
    std::vector<ModuleStep> module_path;
    std::optional<Resource> resource;

    bool is_module() const { return !resource.has_value(); }
    // The module part as Terraform prints module_address ("" for the root module).
    std::string module_address() const;
    // True when this address is `other` or `other` lies inside it: module.a covers every
    // instance of module.a and all they contain; module.a[0] only that instance's contents;
    // a resource covers its instances.
    bool contains(const Address& other) const;
    bool operator==(const Address&) const = default;
};

// What a pattern key accepts: anything (no brackets written), any key (`[*]`), or one key.
struct KeyPattern {
    enum class Kind { unspecified, any, exact };
    Kind kind = Kind::unspecified;
    InstanceKey key;
    bool operator==(const KeyPattern&) const = default;
};

// A module step of a pattern; name "*" matches any name; name "**" any number of steps.
struct ModuleStepPattern {
    std::string name;
    KeyPattern key;
    bool is_any_depth() const { return name == "**"; }
    bool operator==(const ModuleStepPattern&) const = default;
};

struct ResourcePattern {
    Mode mode = Mode::managed;
    std::string type;  // "*" matches any type
    std::string name;  // "*" matches any name
    KeyPattern key;
    bool operator==(const ResourcePattern&) const = default;
};

struct Pattern {
    std::vector<ModuleStepPattern> module_path;
    std::optional<ResourcePattern> resource;

    // Exact match: `module.a` matches module.a and its instances, not what is inside;
    // a trailing `**` matches everything below.
    bool matches(const Address& address) const;
    // Match, or match of an enclosing module/resource (as if `.**` were appended):
    // what a policy on `module.data_stores` means.
    bool covers(const Address& address) const;
    bool operator==(const Pattern&) const = default;
};

// A parse failure: the message names the column (1-based) and what was expected.
class AddressError : public Error {
public:
    enum class Kind {
        syntax,     // not an address at all
        bare_type,  // a resource type without a name, e.g. `aws_security_group`
    };

    AddressError(Kind kind, int column, const std::string& message)
        : Error(ErrorCode::invalid_argument, message), kind_(kind), column_(column) {}

    Kind kind() const noexcept { return kind_; }
    int column() const noexcept { return column_; }

private:
    Kind kind_;
    int column_;
};

// Throws AddressError. Accepts exactly what Terraform accepts as a -target address.
Address parse(std::string_view text);
// Throws AddressError. Accepts addresses plus `*`, `[*]` and `**`.
Pattern parse_pattern(std::string_view text);
// True when `text` is a bare resource type (optionally inside modules), e.g.
// `aws_security_group` or `module.a.data.aws_ami`.
bool is_bare_type(std::string_view text);

// The canonical text: parse(to_string(a)) == a, and to_string(parse(t)) == t for canonical t.
std::string to_string(const Address& address);
std::string to_string(const Pattern& pattern);
std::string to_string(const InstanceKey& key);  // "[0]", "[\"a\"]" or ""

// {"address", "module_path":[{"name","key"}], "resource":{"mode","type","name","key"}|null}
nlohmann::json to_json(const Address& address);

// The known addresses a pattern or a bare type selects, in their given order. A bare type
// `T` (or `module.m.T`) selects every resource of type T in that module and below it.
// Throws AddressError when `text` is neither.
std::vector<Address> expand(std::string_view pattern_or_bare_type, std::span<const Address> known);

}  // namespace tfstage::address
