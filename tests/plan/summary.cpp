// Summary counts, checked against numbers read from the fixtures by hand (python/jq), and
// the fast simdjson path checked against the full model on every fixture.
#include <optional>
#include <random>

#include <doctest/doctest.h>

#include "plan/fixtures.hpp"
#include "plan/summary.hpp"

using namespace tfstage::plan;
using tfstage::test::fixture;
using tfstage::test::fixtures_in;

namespace {

struct Expected {
    const char* file;
    Counts counts;  // create, update, delete, replace, read, import, no_op, forget, total_changes
};

// Counted by hand from each file's resource_changes[].change.actions and .importing.
const Expected expected_counts[] = {
    {"gen-tf1.11-aws-provider-offline-create.json", {5, 0, 0, 0, 0, 0, 0, 0, 5}},
    {"gen-tf1.11-create-nested-modules-foreach-checks.json", {20, 0, 0, 0, 1, 0, 0, 0, 20}},
    {"gen-tf1.11-deposed-and-tainted-replace.json", {0, 0, 1, 1, 0, 0, 19, 0, 2}},
    {"gen-tf1.11-destroy-plan.json", {0, 0, 20, 0, 0, 0, 0, 0, 20}},
    {"gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json", {4, 3, 4, 6, 1, 1, 7, 1, 19}},
    {"hcp-redacted-import-generated-config.json", {0, 0, 0, 0, 0, 1, 1, 0, 1}},
    {"tf-equiv-data-read.json", {3, 0, 0, 0, 1, 0, 0, 0, 3}},
    {"tf-showjson-conditions.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tf-showjson-drift.json", {0, 2, 0, 0, 0, 0, 0, 0, 2}},
    {"tf-showjson-modules.json", {4, 0, 0, 0, 0, 0, 0, 0, 4}},
    {"tf-showjson-plan-error.json", {0, 0, 0, 0, 0, 0, 0, 0, 0}},
    {"tfcompliance-tf1.14-relevant-attrs.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tfjson-tf0.12-basic-modules-outputs.json", {7, 0, 0, 0, 1, 0, 0, 0, 7}},
    {"tfjson-tf0.13-module-depends-on.json", {2, 0, 0, 0, 1, 0, 0, 0, 2}},
    {"tfjson-tf1.1-sensitive-values.json", {7, 0, 0, 0, 0, 0, 0, 0, 7}},
    {"tfjson-tf1.13dev-identity-update.json", {0, 1, 0, 0, 0, 1, 0, 0, 1}},
    {"tfjson-tf1.2-basic-format1.1.json", {7, 0, 0, 0, 0, 0, 0, 0, 7}},
    {"tfjson-tf1.5-checks.json", {2, 0, 0, 0, 0, 0, 0, 0, 2}},
    {"tfsummarize-tf1.1-foreach-drift-compact.json", {7, 0, 0, 0, 0, 0, 1, 0, 7}},
    {"tofu-equiv-complex-destroy.json", {0, 0, 1, 0, 0, 0, 0, 0, 1}},
};

}  // namespace

TEST_CASE("plan summary: counts match the hand-counted fixtures, on both paths") {
    for (const auto& e : expected_counts) {
        CAPTURE(e.file);
        auto path = fixture(std::string("plan/") + e.file);
        CHECK(summarise(parse_plan_file(path)).overall == e.counts);
        CHECK(summarise_file(path).overall == e.counts);
    }
}

TEST_CASE("plan summary: both paths agree on every plan fixture, modules and changes included") {
    for (const auto& path : fixtures_in("plan")) {
        CAPTURE(path.string());
        Summary full = summarise(parse_plan_file(path));
        CHECK(summarise_file(path) == full);
        CHECK(summarise_text(read_file(path)) == full);
    }
}

TEST_CASE("plan summary: per module counts (root is \"\")") {
    Summary s = summarise_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    REQUIRE(s.modules.size() == 5);
    CHECK(s.modules.at("") == Counts{2, 3, 2, 6, 1, 1, 3, 1, 15});
    CHECK(s.modules.at("module.app[\"api\"]") == Counts{0, 0, 1, 0, 0, 0, 0, 0, 1});
    CHECK(s.modules.at("module.app[\"web\"]") == Counts{1, 0, 0, 0, 0, 0, 2, 0, 1});
    CHECK(s.modules.at("module.app[\"api\"].module.dns") == Counts{0, 0, 1, 0, 0, 0, 0, 0, 1});
    CHECK(s.modules.at("module.app[\"web\"].module.dns") == Counts{1, 0, 0, 0, 0, 0, 2, 0, 1});

    // Plain no-ops are left out of the change list; the no-op import stays.
    CHECK(s.changes.size() == 26 - 7 + 1);
    auto imported = std::find_if(s.changes.begin(), s.changes.end(), [](const ChangeEntry& c) { return c.importing; });
    REQUIRE(imported != s.changes.end());
    CHECK(imported->address == "terraform_data.imported");
    CHECK(imported->kind == ChangeKind::no_op);
    CHECK(s.changes[1].address == "terraform_data.cbd");
    CHECK(s.changes[1].kind == ChangeKind::replace);
    CHECK(s.changes[1].action_reason == "replace_because_cannot_update");
    CHECK(s.changes[1].actions == std::vector<std::string>{"create", "delete"});
}

TEST_CASE("plan summary: the fast path reports errors with the JSON path") {
    auto error_of = [](const std::string& text) -> std::string {
        try {
            summarise_text(text);
        } catch (const tfstage::Error& e) {
            CHECK(e.code() == tfstage::ErrorCode::parse_error);
            return e.what();
        }
        FAIL("no error for: " << text);
        return "";
    };
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":"create"}}]})")
              .find("resource_changes[0].change.actions") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"]}},{"address":7}]})")
              .find("resource_changes[1].address") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["jump"]}}]})")
              .find("unknown combination") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b"}]})").find("resource_changes[0].change") !=
          std::string::npos);
    CHECK(error_of(R"({"resource_changes":[]})").find("format_version") != std::string::npos);
    CHECK(error_of(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"act)").size() > 0);
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("[1,2]").size() > 0);
    CHECK(error_of(R"({"format_version":"1.2"} trailing)").size() > 0);
    CHECK_THROWS_WITH_AS(summarise_text(R"({"format_version":"2.0","resource_changes":[]})"), doctest::Contains("2.0"), tfstage::Error);
}

TEST_CASE("plan summary: truncating a real plan anywhere gives an error, never a crash") {
    std::string text = read_file(fixture("plan/gen-tf1.11-rich-cbd-dbc-taint-import-forget-moved.json"));
    for (std::size_t cut = 0; cut < text.size(); cut += 97) {
        CAPTURE(cut);
        std::string truncated = text.substr(0, cut);
        CHECK_THROWS_AS(summarise_text(truncated), tfstage::Error);
        CHECK_THROWS_AS(parse_plan(truncated), tfstage::Error);
    }
}

// ---- the streamed reader: windows, key order, malformed input ---------------------------

namespace {

// Window sizes that put chunk edges everywhere: inside strings, escapes, multi-byte UTF-8
// sequences, numbers, literals and keys, and between the elements of resource_changes.
// (The scanner's minimum is 4 bytes, the longest UTF-8 sequence; 1 is raised to it.)
const std::size_t tiny_windows[] = {1, 4, 5, 7, 13, 64, 4096};

std::string error_of_text(const std::string& text, std::size_t window = summary_window) {
    try {
        summarise_text(text, window);
    } catch (const tfstage::Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("plan summary: tiny windows (chunk edges everywhere) give the same summary on every fixture") {
    for (const auto& path : fixtures_in("plan")) {
        Summary full = summarise(parse_plan_file(path));
        std::string text = read_file(path);
        for (std::size_t window : tiny_windows) {
            CAPTURE(path.string());
            CAPTURE(window);
            CHECK(summarise_text(text, window) == full);
            CHECK(summarise_file(path, window) == full);
        }
    }
}

TEST_CASE("plan summary: multi-byte UTF-8, escapes and escaped keys across window edges") {
    // "é" (2 bytes), "€" (3) and "😀" (4) in addresses, an escaped key, an escaped quote and a
    // \u escape, pretty-printed, and a skipped after value full of the same.
    const std::string text = R"({
  "format_version" : "1.2",
  "resource_changes" : [
    {
      "address" : "terraform_data.x[\"caf\u00e9 é € 😀\"]",
      "module_addr\u0065ss" : "module.m[\"😀\"]",
      "change" : {
        "after" : {"a\"b" : ["é€😀\\", 1.5e-3, -0, true, false, null, {}, [], "\u0041\t"]},
        "actions" : [ "create" ],
        "importing" : { "id" : "😀" }
      },
      "action_reason" : "replace_because_tainted"
    },
    {"address":"terraform_data.y","change":{"actions":["delete","create"],"before":"€€€€€€€€"}}
  ]
}
)";
    Summary full = summarise(parse_plan(text));
    REQUIRE(full.changes.size() == 2);
    CHECK(full.changes[0].module_address == "module.m[\"😀\"]");
    for (std::size_t window = 1; window <= 64; ++window) {
        CAPTURE(window);
        CHECK(summarise_text(text, window) == full);
    }
}

TEST_CASE("plan summary: resource_changes may come before format_version") {
    const std::string text =
        R"({"resource_changes":[{"address":"a.b","change":{"actions":["create"]}},)"
        R"({"address":"a.c","module_address":"module.m","change":{"actions":["update"]}}],"format_version":"1.2"})";
    Summary full = summarise(parse_plan(text));
    for (std::size_t window : tiny_windows) {
        CAPTURE(window);
        Summary fast = summarise_text(text, window);
        CHECK(fast == full);
        CHECK(fast.format_version == "1.2");
        CHECK(fast.overall.create == 1);
        CHECK(fast.overall.update == 1);
    }
    // Still checked at the end: a wrong or missing format_version after resource_changes fails.
    CHECK_THROWS_WITH_AS(summarise_text(R"({"resource_changes":[{"address":"a.b","change":{"actions":["create"]}}],"format_version":"2.0"})"),
                         doctest::Contains("2.0"), tfstage::Error);
    CHECK(error_of_text(R"({"resource_changes":[{"address":"a.b","change":{"actions":["create"]}}],"other":1})").find("format_version") !=
          std::string::npos);
}

TEST_CASE("plan summary: malformed values the summary skips are still errors, naming the path") {
    const auto with_after = [](const std::string& after) {
        return R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"],"after":)" + after +
               "}}]}";
    };
    for (std::size_t window : {std::size_t{4}, std::size_t{7}, summary_window}) {
        CAPTURE(window);
        for (const std::string& bad : {std::string(R"({"a":[1 2]})"), std::string(R"({"a" 1})"), std::string(R"({"a":tru})"),
                                       std::string(R"("bad \q escape")"), std::string(R"("\u12G4")"), std::string("\"tab\there\""),
                                       std::string("\"\xC3\""), std::string("\"\xFF\""), std::string(R"({"a":01})"),
                                       std::string(R"([1,])"), std::string(R"({,})"), std::string(R"(-)"), std::string(R"(1.)")}) {
            CAPTURE(bad);
            std::string error = error_of_text(with_after(bad), window);
            CHECK(error.find("invalid plan JSON at resource_changes[0].change.after") != std::string::npos);
            CHECK_THROWS_AS(parse_plan(with_after(bad)), tfstage::Error);
        }
        // Elsewhere in the document too.
        CHECK(error_of_text(R"({"format_version":"1.2","planned_values":{"x":[}})", window).find("planned_values") != std::string::npos);
        CHECK(error_of_text(R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"]}} {}]})", window)
                  .find("resource_changes") != std::string::npos);
        CHECK(error_of_text(R"({"format_version":"1.2","resource_changes":7})", window).find("resource_changes") != std::string::npos);
        CHECK(error_of_text(R"({"format_version":"1.2","resource_changes":[7]})", window).find("resource_changes[0]") !=
              std::string::npos);
        CHECK(error_of_text(R"({"format_version":1.2})", window).find("format_version") != std::string::npos);
        CHECK(error_of_text(R"({"format_version":"1.2"} {})", window).find("unexpected text after") != std::string::npos);
        CHECK(error_of_text("   \n", window).find("empty") != std::string::npos);
    }
}

TEST_CASE("plan summary: truncating a plan at every byte, with tiny windows, gives an error") {
    std::string text = read_file(fixture("plan/tf-showjson-modules.json"));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    for (std::size_t window : {std::size_t{4}, std::size_t{7}, summary_window}) {
        for (std::size_t cut = 0; cut < text.size(); ++cut) {
            CAPTURE(window);
            CAPTURE(cut);
            CHECK_THROWS_AS(summarise_text(text.substr(0, cut), window), tfstage::Error);
        }
    }
}

TEST_CASE("plan summary: a file that is not there or not readable is an io error") {
    try {
        summarise_file(fixture("plan/no-such-plan.json"));
        FAIL("no error");
    } catch (const tfstage::Error& e) {
        CHECK(e.code() == tfstage::ErrorCode::io);
        CHECK(std::string(e.what()).find("no-such-plan.json") != std::string::npos);
    }
}

TEST_CASE("plan summary: random strings with escapes agree with the full model, at every window size") {
    // The scanner skips strings 32 bytes at a time where it can (escapes found with bit masks)
    // and byte by byte near a window's edge: random strings of every length, dense with
    // escapes, check both against nlohmann, valid or not.
    const char* valid_pieces[] = {"a", "é", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u003C", " ", "\\\\\\\"", "\\b\\f\\r"};
    const char* invalid_pieces[] = {"\"", "\\q", "\\u12x4", "\x01", "\t", "\\", "\xC3", "\xED\xA0\x80"};
    std::mt19937 random(20240601);
    for (int round = 0; round < 300; ++round) {
        std::string content;
        const int pieces = static_cast<int>(random() % 90);
        for (int i = 0; i < pieces; ++i) content += valid_pieces[random() % std::size(valid_pieces)];
        if (round % 3 == 2) content.insert(random() % (content.size() + 1), invalid_pieces[random() % std::size(invalid_pieces)]);
        for (bool in_address : {true, false}) {
            const std::string text = in_address
                ? R"({"format_version":"1.2","resource_changes":[{"address":")" + content + R"(","change":{"actions":["create"]}}]})"
                : R"({"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["create"],"after":{"p":")" +
                      content + R"(","q":")" + content + R"("}}}]})";
            std::optional<Summary> full;
            try {
                full = summarise(parse_plan(text));
            } catch (const tfstage::Error&) {
            }
            for (std::size_t window : {std::size_t{4}, std::size_t{37}, std::size_t{64}, summary_window}) {
                CAPTURE(text);
                CAPTURE(window);
                if (full) {
                    CHECK(summarise_text(text, window) == *full);
                } else {
                    CHECK_THROWS_AS(summarise_text(text, window), tfstage::Error);
                }
            }
        }
    }
}
