// Address grammar: canonical round-trips, structure, errors with their column, and every
// address that appears in the shared plan and state fixtures.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "address/address.hpp"

namespace addr = tfstage::address;

TEST_CASE("address: canonical addresses round-trip") {
    const char* cases[] = {
        "aws_instance.web",
        "aws_instance.web[0]",
        "aws_instance.web[12345]",
        "aws_instance.named[\"test.1\"]",
        "data.aws_ami.ubuntu",
        "data.aws_ami.ubuntu[2]",
        "module.a",
        "module.a[0]",
        "module.a[\"x y\"]",
        "module.a[\"x y\"].module.b[0]",
        "module.a[\"x\"].module.b[0].aws_instance.web[2]",
        "module.a.data.aws_iam_policy_document.p",
        "module.db.module.db_1.module.db_instance.aws_db_instance.this[0]",
        "module.app[\"quote\\\"back\\\\slash\"].x.y",
        "module.a[\"tab\\tnl\\ncr\\r\"].x.y",
        "module.a[\"$${literal}%%{x}\"].x.y",
        "module.a[\"unicode é ✓\"].x.y",
        "module.a[\"\\u0001\"].x.y",
        "aws-thing_2.name-with-dashes",
        "module.m.module.n.module.o",
    };
    for (const char* text : cases) {
        CAPTURE(text);
        addr::Address a = addr::parse(text);
        CHECK(addr::to_string(a) == text);
        CHECK(addr::parse(addr::to_string(a)) == a);
    }
}

TEST_CASE("address: the structure holds each part") {
    addr::Address a = addr::parse("module.a[\"x y\"].module.b[0].data.aws_ami.web[2]");
    REQUIRE(a.module_path.size() == 2);
    CHECK(a.module_path[0].name == "a");
    CHECK(a.module_path[0].key == addr::InstanceKey::of(std::string("x y")));
    CHECK(a.module_path[1].name == "b");
    CHECK(a.module_path[1].key == addr::InstanceKey::of(std::int64_t{0}));
    REQUIRE(a.resource);
    CHECK(a.resource->mode == addr::Mode::data);
    CHECK(a.resource->type == "aws_ami");
    CHECK(a.resource->name == "web");
    CHECK(a.resource->key == addr::InstanceKey::of(std::int64_t{2}));
    CHECK(a.module_address() == "module.a[\"x y\"].module.b[0]");
    CHECK_FALSE(a.is_module());

    addr::Address m = addr::parse("module.a");
    CHECK(m.is_module());
    CHECK(m.module_address() == "module.a");
    CHECK(addr::parse("aws_instance.x").module_address() == "");

    auto json = addr::to_json(a);
    CHECK(json["resource"]["mode"] == "data");
    CHECK(json["resource"]["key"] == 2);
    CHECK(json["module_path"][0]["key"] == "x y");
    CHECK(json["address"] == addr::to_string(a));
}

TEST_CASE("address: escapes decode to the key's text") {
    CHECK(addr::parse("a.b[\"\\u00e9\"]").resource->key.text == "é");
    CHECK(addr::parse("a.b[\"\\U0001F600\"]").resource->key.text == "\xF0\x9F\x98\x80");
    CHECK(addr::parse("a.b[\"$${x}\"]").resource->key.text == "${x}");
    // Non-canonical spellings print canonically.
    CHECK(addr::to_string(addr::parse("a.b[\"\\u0041\"]")) == "a.b[\"A\"]");
}

namespace {

struct BadAddress {
    const char* text;
    int column;
    const char* expected;  // part of the message
};

}  // namespace

TEST_CASE("address: invalid addresses name the column and what was expected") {
    const BadAddress cases[] = {
        {"", 1, "empty"},
        {"aws_instance.", 14, "expected a resource name"},
        {"aws_instance..x", 14, "expected a resource name"},
        {"module.", 8, "expected a module name"},
        {"module.a.", 10, "expected a resource type"},
        {"module.a[", 10, "instance key"},
        {"module.a[0", 11, "']'"},
        {"module.a[-1]", 10, "instance key"},
        {"module.a[01]", 10, "leading zeros"},
        {"module.a[99999999999999999999]", 10, "too large"},
        {"module.a[\"x]", 13, "close the string"},
        {"module.a[\"\\q\"]", 11, "escape sequence"},
        {"module.a[\"\\u12\"]", 11, "hex digits"},
        {"aws_instance.web[0]x", 20, "end of the address"},
        {"aws_instance.web extra", 17, "end of the address"},
        {"1abc.x", 1, "resource type"},
        {"module.a b", 9, "'.'"},
        {"aws_instance.*", 14, "resource name"},
        {"module.*.x.y", 8, "module name"},
        {"x.y[*]", 5, "instance key"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        try {
            addr::parse(c.text);
            FAIL("parsed an invalid address");
        } catch (const addr::AddressError& e) {
            CHECK(e.column() == c.column);
            CHECK(e.code() == tfstage::ErrorCode::invalid_argument);
            CHECK(e.kind() == addr::AddressError::Kind::syntax);
            std::string message = e.what();
            CHECK(message.find("column " + std::to_string(c.column)) != std::string::npos);
            CHECK(message.find(c.expected) != std::string::npos);
        }
    }
}

TEST_CASE("address: a bare type is its own error, explained") {
    for (const char* text : {"aws_security_group", "module.a.aws_security_group", "data.aws_ami", "module.a[0].data.aws_ami"}) {
        CAPTURE(text);
        CHECK(addr::is_bare_type(text));
        try {
            addr::parse(text);
            FAIL("parsed a bare type");
        } catch (const addr::AddressError& e) {
            CHECK(e.kind() == addr::AddressError::Kind::bare_type);
            std::string message = e.what();
            CHECK(message.find("bare resource type") != std::string::npos);
            CHECK(message.find("Terraform rejects") != std::string::npos);
            CHECK(message.find("expand") != std::string::npos);
            CHECK(e.column() == static_cast<int>(std::string(text).size()) + 1);
        }
    }
    CHECK_FALSE(addr::is_bare_type("aws_security_group.web"));
    CHECK_FALSE(addr::is_bare_type("module.a"));
    CHECK_FALSE(addr::is_bare_type("1bad"));
}

namespace {

void collect_module_addresses(const nlohmann::json& module, std::set<std::string>& out) {
    if (module.contains("address")) out.insert(module["address"].get<std::string>());
    for (const auto& r : module.value("resources", nlohmann::json::array())) out.insert(r["address"].get<std::string>());
    for (const auto& c : module.value("child_modules", nlohmann::json::array())) collect_module_addresses(c, out);
}

void collect_values(const nlohmann::json& values, std::set<std::string>& out) {
    if (values.is_object() && values.contains("root_module")) collect_module_addresses(values["root_module"], out);
}

std::set<std::string> fixture_addresses() {
    std::set<std::string> out;
    for (const char* dir : {"plan", "state"}) {
        for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(TFSTAGE_FIXTURES_DIR) / dir)) {
            std::ifstream in(entry.path(), std::ios::binary);
            auto doc = nlohmann::json::parse(in, nullptr, false);
            if (doc.is_discarded()) continue;  // e.g. a UTF-16 file; the plan tests cover those
            for (const char* list : {"resource_changes", "resource_drift"}) {
                for (const auto& rc : doc.value(list, nlohmann::json::array())) {
                    for (const char* field : {"address", "previous_address", "module_address"})
                        if (rc.contains(field)) out.insert(rc[field].get<std::string>());
                }
            }
            collect_values(doc.value("values", nlohmann::json()), out);
            collect_values(doc.value("planned_values", nlohmann::json()), out);
            if (doc.contains("prior_state")) collect_values(doc["prior_state"].value("values", nlohmann::json()), out);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("address: every address in the plan and state fixtures round-trips") {
    auto addresses = fixture_addresses();
    CHECK(addresses.size() > 100);
    for (const auto& text : addresses) {
        CAPTURE(text);
        CHECK(addr::to_string(addr::parse(text)) == text);
    }
}
