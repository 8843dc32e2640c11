// The stage graph: default needs, order, dependents, cycles, dot and Mermaid.
#include <doctest/doctest.h>

#include "rollout/graph.hpp"

using namespace tfstage::rollout;
using Names = std::vector<std::string>;

namespace {

Stage apply_stage(const std::string& name, Names targets = {}) {
    Stage stage;
    stage.name = name;
    stage.kind = StageKind::apply;
    stage.targets = std::move(targets);
    return stage;
}

Stage with_needs(Stage stage, Names needs) {
    stage.needs = std::move(needs);
    stage.needs_written = true;
    return stage;
}

Stage command_stage(const std::string& name, Names argv) {
    Stage stage;
    stage.name = name;
    stage.kind = StageKind::command;
    stage.command.argv = std::move(argv);
    return stage;
}

// seed 002: green, then the canary, then blue goes; a report needs nothing and runs at once.
std::vector<Stage> blue_green() {
    Stage canary = command_stage("canary", {"scripts/shift.sh", "${item}"});
    canary.for_each = {"5", "25", "50", "100"};
    Stage destroy_blue = apply_stage("destroy-blue", {"module.blue_environment"});
    destroy_blue.kind = StageKind::destroy;
    return {apply_stage("green", {"module.green_environment"}), canary, destroy_blue,
            with_needs(command_stage("report", {"scripts/report.sh"}), {})};
}

}  // namespace

TEST_CASE("graph: needs default to the previous stage") {
    auto stages = blue_green();
    CHECK(resolved_needs(stages, 0).empty());
    CHECK(resolved_needs(stages, 1) == Names{"green"});
    CHECK(resolved_needs(stages, 2) == Names{"canary"});
    CHECK(resolved_needs(stages, 3).empty());  // needs: [] written
    StageGraph graph(stages);
    CHECK(graph.needs_of("destroy-blue") == Names{"canary"});
    CHECK_THROWS_AS(graph.needs_of("nope"), tfstage::Error);
}

TEST_CASE("graph: order follows needs, and file order for ties") {
    std::vector<Stage> stages = {with_needs(apply_stage("monitoring"), {"kafka", "vpc"}), with_needs(apply_stage("vpc"), {}),
                                 with_needs(apply_stage("data"), {"vpc"}), with_needs(apply_stage("kafka"), {"vpc"}),
                                 with_needs(apply_stage("lambda"), {"kafka", "data"})};
    StageGraph graph(stages);
    CHECK(graph.order() == Names{"vpc", "data", "kafka", "monitoring", "lambda"});
    CHECK(StageGraph(blue_green()).order() == Names{"green", "canary", "destroy-blue", "report"});
}

TEST_CASE("graph: dependents are transitive, in order") {
    std::vector<Stage> stages = {apply_stage("vpc"), with_needs(apply_stage("data"), {"vpc"}), with_needs(apply_stage("kafka"), {"vpc"}),
                                 with_needs(apply_stage("lambda"), {"kafka"}), with_needs(apply_stage("docs"), {})};
    StageGraph graph(stages);
    CHECK(graph.dependents_of("vpc") == Names{"data", "kafka", "lambda"});
    CHECK(graph.dependents_of("kafka") == Names{"lambda"});
    CHECK(graph.dependents_of("lambda").empty());
    CHECK(graph.dependents_of("docs").empty());
}

TEST_CASE("graph: cycles are found once and named") {
    std::vector<Stage> stages = {with_needs(apply_stage("a"), {"c"}), with_needs(apply_stage("b"), {"a"}), with_needs(apply_stage("c"), {"b"}),
                                 with_needs(apply_stage("self"), {"self"}), apply_stage("after")};
    StageGraph graph(stages);
    auto cycles = graph.cycles();
    REQUIRE(cycles.size() == 2);
    CHECK(describe_cycle(cycles[0]) == "a -> c -> b -> a");
    CHECK(describe_cycle(cycles[1]) == "self -> self");
    CHECK_THROWS_WITH_AS(graph.order(), doctest::Contains("a -> c -> b -> a"), tfstage::Error);
    CHECK(StageGraph(blue_green()).cycles().empty());
}

TEST_CASE("graph: Graphviz dot") {
    CHECK(StageGraph(blue_green()).to_dot() ==
          "digraph rollout {\n"
          "  rankdir=TB;\n"
          "  node [shape=box];\n"
          "  \"green\" [label=\"green\\napply: module.green_environment\"];\n"
          "  \"canary\" [label=\"canary\\nrun: scripts/shift.sh ${item} (for each of 5, 25, 50, 100)\"];\n"
          "  \"destroy-blue\" [label=\"destroy-blue\\ndestroy: module.blue_environment\"];\n"
          "  \"report\" [label=\"report\\nrun: scripts/report.sh\"];\n"
          "  \"green\" -> \"canary\";\n"
          "  \"canary\" -> \"destroy-blue\";\n"
          "}\n");
    // Quotes inside addresses are escaped.
    CHECK(StageGraph({apply_stage("app", {"module.app[\"api\"]"})}).to_dot().find("apply: module.app[\\\"api\\\"]") != std::string::npos);
}

TEST_CASE("graph: Mermaid") {
    Stage untargeted = apply_stage("rest");
    untargeted.excludes = {"module.app[\"api\"]"};
    auto stages = blue_green();
    stages.push_back(with_needs(untargeted, {"green", "report"}));
    CHECK(StageGraph(stages).to_mermaid() ==
          "flowchart TD\n"
          "  s0[\"green<br/>apply: module.green_environment\"]\n"
          "  s1[\"canary<br/>run: scripts/shift.sh ${item} (for each of 5, 25, 50, 100)\"]\n"
          "  s2[\"destroy-blue<br/>destroy: module.blue_environment\"]\n"
          "  s3[\"report<br/>run: scripts/report.sh\"]\n"
          "  s4[\"rest<br/>apply: all (except module.app[#quot;api#quot;])\"]\n"
          "  s0 --> s1\n"
          "  s1 --> s2\n"
          "  s0 --> s4\n"
          "  s3 --> s4\n");
}
