// Containment, patterns and expansion, table-driven.
#include <doctest/doctest.h>

#include "address/address.hpp"

namespace addr = tfstage::address;

namespace {

struct Pair {
    const char* outer;
    const char* inner;
    bool expected;
};

std::vector<addr::Address> parse_all(std::initializer_list<const char*> texts) {
    std::vector<addr::Address> out;
    for (const char* t : texts) out.push_back(addr::parse(t));
    return out;
}

std::vector<std::string> print_all(const std::vector<addr::Address>& addresses) {
    std::vector<std::string> out;
    for (const auto& a : addresses) out.push_back(addr::to_string(a));
    return out;
}

}  // namespace

TEST_CASE("address: containment") {
    const Pair cases[] = {
        {"module.a", "module.a", true},
        {"module.a", "module.a[0]", true},
        {"module.a", "module.a[\"x\"].aws_instance.web[1]", true},
        {"module.a", "module.a.module.b.data.x.y", true},
        {"module.a", "module.ab.x.y", false},
        {"module.a", "module.b.module.a.x.y", false},
        {"module.a", "aws_instance.a", false},
        {"module.a[0]", "module.a[0].x.y", true},
        {"module.a[0]", "module.a[1].x.y", false},
        {"module.a[0]", "module.a.x.y", false},
        {"module.a[\"k\"]", "module.a[\"k\"].module.b[3].x.y[2]", true},
        {"aws_instance.web", "aws_instance.web", true},
        {"aws_instance.web", "aws_instance.web[0]", true},
        {"aws_instance.web", "aws_instance.web[\"k\"]", true},
        {"aws_instance.web[0]", "aws_instance.web[0]", true},
        {"aws_instance.web[0]", "aws_instance.web[1]", false},
        {"aws_instance.web[0]", "aws_instance.web", false},
        {"aws_instance.web", "data.aws_instance.web", false},
        {"aws_instance.web", "module.a.aws_instance.web", false},
        {"module.a.aws_instance.web", "module.a[2].aws_instance.web[1]", true},
        {"module.a.aws_instance.web", "module.a.module.b.aws_instance.web", false},
        {"aws_instance.web[0]", "module.a", false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.outer);
        CAPTURE(c.inner);
        CHECK(addr::parse(c.outer).contains(addr::parse(c.inner)) == c.expected);
    }
}

TEST_CASE("address: patterns round-trip and match") {
    const Pair cases[] = {
        {"module.*.aws_sns_topic.*", "module.alerts.aws_sns_topic.main", true},
        {"module.*.aws_sns_topic.*", "module.alerts[0].aws_sns_topic.main[\"x\"]", true},
        {"module.*.aws_sns_topic.*", "aws_sns_topic.main", false},
        {"module.*.aws_sns_topic.*", "module.a.module.b.aws_sns_topic.main", false},
        {"module.*.aws_sns_topic.*", "module.a.data.aws_sns_topic.main", false},
        {"module.*.aws_sns_topic.*", "module.a.aws_sqs_queue.main", false},
        {"module.data_stores.**", "module.data_stores", true},
        {"module.data_stores.**", "module.data_stores.aws_db_instance.main", true},
        {"module.data_stores.**", "module.data_stores[1].module.x.data.a.b[0]", true},
        {"module.data_stores.**", "module.kafka.aws_msk_cluster.main", false},
        {"module.data_stores.**", "aws_db_instance.main", false},
        {"**.aws_kms_key.*", "aws_kms_key.data_stores", true},
        {"**.aws_kms_key.*", "module.a.module.b.aws_kms_key.k[0]", true},
        {"module.**.aws_kms_key.*", "aws_kms_key.x", false},  // `module.**` is a module named "**"? no: see below
        {"*.*", "aws_instance.web[3]", true},
        {"*.*", "module.a.aws_instance.web", false},
        {"*.*", "data.a.b", false},
        {"data.*.*", "data.a.b", true},
        {"aws_instance.web[*]", "aws_instance.web[0]", true},
        {"aws_instance.web[*]", "aws_instance.web", false},
        {"aws_instance.web[1]", "aws_instance.web[0]", false},
        {"module.a[*].x.y", "module.a[\"k\"].x.y", true},
        {"module.a[*].x.y", "module.a.x.y", false},
        {"module.a", "module.a[7]", true},
        {"module.a", "module.a.x.y", false},
        {"module.*", "module.b", true},
    };
    for (const auto& c : cases) {
        CAPTURE(c.outer);
        CAPTURE(c.inner);
        if (std::string(c.outer).starts_with("module.**")) {
            CHECK_THROWS_AS(addr::parse_pattern(c.outer), addr::AddressError);
            continue;
        }
        addr::Pattern p = addr::parse_pattern(c.outer);
        CHECK(addr::to_string(p) == c.outer);
        CHECK(p.matches(addr::parse(c.inner)) == c.expected);
    }
}

TEST_CASE("address: covers = matches the address or something enclosing it") {
    CHECK(addr::parse_pattern("module.data_stores").covers(addr::parse("module.data_stores.aws_db_instance.x[0]")));
    CHECK(addr::parse_pattern("module.*").covers(addr::parse("module.q[1].module.r.a.b")));
    CHECK_FALSE(addr::parse_pattern("module.data_stores").covers(addr::parse("module.kafka.a.b")));
    CHECK(addr::parse_pattern("aws_kms_key.*").covers(addr::parse("aws_kms_key.k[2]")));
    CHECK_FALSE(addr::parse_pattern("aws_kms_key.k[1]").covers(addr::parse("aws_kms_key.k[2]")));
}

TEST_CASE("address: expand a bare type or a pattern against known addresses") {
    auto known = parse_all({
        "aws_security_group.web",
        "aws_security_group.db[0]",
        "aws_security_group.db[1]",
        "module.vpc.aws_security_group.default",
        "module.vpc.aws_vpc.main",
        "data.aws_security_group.existing",
        "module.kafka[\"a\"].aws_sns_topic.alerts",
        "module.kafka[\"b\"].aws_sns_topic.alerts",
        "module.vpc",
    });
    CHECK(print_all(addr::expand("aws_security_group", known)) ==
          std::vector<std::string>{"aws_security_group.web", "aws_security_group.db[0]", "aws_security_group.db[1]",
                                   "module.vpc.aws_security_group.default"});
    CHECK(print_all(addr::expand("module.vpc.aws_security_group", known)) ==
          std::vector<std::string>{"module.vpc.aws_security_group.default"});
    CHECK(print_all(addr::expand("data.aws_security_group", known)) ==
          std::vector<std::string>{"data.aws_security_group.existing"});
    CHECK(print_all(addr::expand("module.*.aws_sns_topic.*", known)) ==
          std::vector<std::string>{"module.kafka[\"a\"].aws_sns_topic.alerts", "module.kafka[\"b\"].aws_sns_topic.alerts"});
    CHECK(print_all(addr::expand("module.vpc.**", known)) ==
          std::vector<std::string>{"module.vpc.aws_security_group.default", "module.vpc.aws_vpc.main", "module.vpc"});
    CHECK(addr::expand("aws_iam_role", known).empty());
    CHECK_THROWS_AS(addr::expand("module..x", known), addr::AddressError);
}
