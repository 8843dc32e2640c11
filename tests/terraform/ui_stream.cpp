// The -json UI stream parser, on every captured stream in fixtures/ui-stream.
#include <doctest/doctest.h>

#include <map>
#include <sstream>

#include "support/fixtures.hpp"
#include "terraform/ui_stream.hpp"

using namespace tfstage;
using namespace tfstage::terraform;
using tfstage::test::fixture;
using tfstage::test::read_text;

namespace {

std::vector<UiEvent> parse_file(const std::filesystem::path& path) {
    std::vector<UiEvent> events;
    std::istringstream lines(read_text(path));
    std::string line;
    while (std::getline(lines, line))
        if (!line.empty()) events.push_back(parse_ui_line(line));
    return events;
}

std::map<std::string, int> count_types(const std::vector<UiEvent>& events) {
    std::map<std::string, int> counts;
    for (const auto& e : events) ++counts[e.type_name];
    return counts;
}

}  // namespace

TEST_CASE("every fixture stream parses into typed events, none dropped or unknown") {
    for (const auto& path : test::fixtures_in("ui-stream", ".jsonl")) {
        CAPTURE(path.filename().string());
        const auto events = parse_file(path);
        REQUIRE_FALSE(events.empty());
        for (const auto& e : events) {
            CAPTURE(e.message);
            CHECK(e.type != UiEventType::text);
            // All the fixtures' message types are modelled, except terraform test/query ones.
            CHECK(e.type != UiEventType::unknown);
            CHECK(std::string(to_string(e.type)) == e.type_name);
            CHECK_FALSE(e.level.empty());
            if (e.type == UiEventType::planned_change || e.type == UiEventType::apply_start ||
                e.type == UiEventType::apply_complete)
                CHECK_FALSE(e.resource_addr.empty());
        }
    }
}

TEST_CASE("apply stream with provisioner progress: counts, hooks and the change summary") {
    const auto events = parse_file(fixture("ui-stream/gen-tf1.11-apply-create-progress-provisioner.jsonl"));
    const auto counts = count_types(events);
    CHECK(counts.at("planned_change") == 21);
    CHECK(counts.at("apply_start") == 21);
    CHECK(counts.at("apply_complete") == 21);
    CHECK(counts.at("apply_progress") == 1);
    CHECK(counts.at("provision_progress") == 3);

    CHECK(events.front().type == UiEventType::version);
    CHECK(events.front().version == "1.11.4");

    const auto progress = std::find_if(events.begin(), events.end(),
                                       [](const UiEvent& e) { return e.type == UiEventType::apply_progress; });
    REQUIRE(progress != events.end());
    CHECK(progress->resource_addr == "terraform_data.slow");
    CHECK(progress->action == "create");
    CHECK(progress->elapsed_seconds == 10);

    const auto summary = std::find_if(events.begin(), events.end(), [](const UiEvent& e) { return e.changes.has_value(); });
    REQUIRE(summary != events.end());
    CHECK(summary->changes->add == 20);  // 21 planned changes: one is a data source read
    CHECK(summary->changes->change == 0);
    CHECK(summary->changes->remove == 0);
    CHECK(summary->changes->operation == "apply");
}

TEST_CASE("plan stream: every planned_change action, reasons, moves and imports") {
    const auto events = parse_file(fixture("ui-stream/gen-tf1.11-plan-refresh-all-actions.jsonl"));
    std::map<std::string, int> actions;
    bool saw_move = false;
    bool saw_reason = false;
    for (const auto& e : events) {
        if (e.type != UiEventType::planned_change) continue;
        ++actions[e.action];
        if (!e.previous_address.empty()) saw_move = true;
        if (!e.reason.empty()) saw_reason = true;
    }
    for (const char* action : {"create", "update", "replace", "delete", "read", "import", "move", "remove"}) {
        CAPTURE(action);
        CHECK(actions[action] > 0);
    }
    CHECK(saw_move);
    CHECK(saw_reason);
    const auto summary = std::find_if(events.begin(), events.end(), [](const UiEvent& e) { return e.changes.has_value(); });
    REQUIRE(summary != events.end());
    CHECK(summary->changes->operation == "plan");
    CHECK(summary->changes->import == 1);
}

TEST_CASE("an errored apply carries the diagnostic with its source range, and no change summary") {
    const auto events = parse_file(fixture("ui-stream/gen-tf1.11-apply-errored-provisioner.jsonl"));
    const auto diagnostic = std::find_if(events.begin(), events.end(), [](const UiEvent& e) { return e.diagnostic.has_value(); });
    REQUIRE(diagnostic != events.end());
    CHECK(diagnostic->diagnostic->severity == "error");
    CHECK(diagnostic->diagnostic->summary == "local-exec provisioner error");
    CHECK_FALSE(diagnostic->diagnostic->filename.empty());
    CHECK(diagnostic->diagnostic->line > 0);
    CHECK(std::none_of(events.begin(), events.end(), [](const UiEvent& e) { return e.changes.has_value(); }));
    CHECK(std::any_of(events.begin(), events.end(), [](const UiEvent& e) { return e.type == UiEventType::apply_errored; }));
}

TEST_CASE("OpenTofu's stream: tofu.ui module and the forget count") {
    const auto events = parse_file(fixture("ui-stream/tofu-apply-expected.jsonl"));
    CHECK(events.front().module == "tofu.ui");
    CHECK(events.front().timestamp.empty());  // the expected output has no @timestamp
    const auto summary = std::find_if(events.begin(), events.end(), [](const UiEvent& e) { return e.changes.has_value(); });
    REQUIRE(summary != events.end());
    CHECK(summary->changes->forget == 0);
    CHECK(summary->raw["changes"].contains("forget"));
}

TEST_CASE("init -json: init_output and log messages, and the warning diagnostic") {
    const auto counts = count_types(parse_file(fixture("ui-stream/gen-tf1.11-init.jsonl")));
    CHECK(counts.at("init_output") == 6);
    CHECK(counts.at("log") == 5);
    CHECK(counts.at("diagnostic") == 1);
}

TEST_CASE("outputs messages leave sensitive values out") {
    const auto events = parse_file(fixture("ui-stream/gen-tf1.11-apply-create-progress-provisioner.jsonl"));
    const auto outputs = std::find_if(events.begin(), events.end(), [](const UiEvent& e) { return e.type == UiEventType::outputs; });
    REQUIRE(outputs != events.end());
    const auto& secret = outputs->raw["outputs"]["db_password"];
    CHECK(secret["sensitive"] == true);
    CHECK_FALSE(secret.contains("value"));
}

TEST_CASE("lines that are not JSON objects, and unknown types, are kept, not dropped") {
    const auto text = parse_ui_line("Terraform crashed! This is always indicative of a bug");
    CHECK(text.type == UiEventType::text);
    CHECK(text.message == "Terraform crashed! This is always indicative of a bug");

    const auto array = parse_ui_line("[1,2]");
    CHECK(array.type == UiEventType::text);

    const auto future = parse_ui_line(R"({"@level":"info","@message":"x","type":"action_invocation","z":1})");
    CHECK(future.type == UiEventType::unknown);
    CHECK(future.type_name == "action_invocation");
    CHECK(future.raw["z"] == 1);

    // A diagnostic message whose body is malformed stays a generic event.
    const auto broken = parse_ui_line(R"({"type":"diagnostic","diagnostic":"oops"})");
    CHECK(broken.type == UiEventType::unknown);
    CHECK_FALSE(broken.diagnostic.has_value());

    // Wrong member types do not throw.
    const auto odd = parse_ui_line(R"({"type":"apply_progress","hook":{"resource":{"addr":7},"elapsed_seconds":"x"}})");
    CHECK(odd.type == UiEventType::apply_progress);
    CHECK(odd.resource_addr.empty());
    CHECK(odd.elapsed_seconds == 0);
}
