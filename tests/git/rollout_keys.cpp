// The rollout file keys of issue 7: a stage's `watch` and `rollback: false`.
#include <doctest/doctest.h>

#include "rollout/rollout_file.hpp"
#include "rollout/scratch.hpp"

using namespace tfstage::rollout;
using tfstage::test::RolloutScratch;

TEST_CASE("rollout file: watch paths resolve against the file and rollback false marks a stage") {
    RolloutScratch scratch;
    const auto file = scratch.write("rollout.yaml", R"(version: 1
root: infra
environments:
  prod: {git: {require_clean: true, require_branch: main}}
stages:
  - name: data
    apply: {targets: [module.data]}
    rollback: false
    watch: [schemas, infra/../scripts/migrate.sh]
  - name: app
    apply: {targets: [module.app]}
    rollback:
      - argv: [echo, undo]
)");
    const Rollout rollout = load_rollout_file(file);
    const Stage* data = rollout.find_stage("data");
    REQUIRE(data != nullptr);
    CHECK_FALSE(data->rollback_allowed);
    CHECK(data->rollback.empty());
    CHECK(data->on_failure == OnFailure::stop);
    REQUIRE(data->watch.size() == 2);
    CHECK(data->watch[0] == scratch.dir() / "schemas");
    CHECK(data->watch[1] == scratch.dir() / "scripts/migrate.sh");
    const Stage* app = rollout.find_stage("app");
    REQUIRE(app != nullptr);
    CHECK(app->rollback_allowed);
    CHECK(app->rollback.size() == 1);
    CHECK(app->on_failure == OnFailure::rollback);
}

TEST_CASE("rollout file: rollback must be a list of steps or a boolean and watch a list") {
    RolloutScratch scratch;
    const auto file = scratch.write("rollout.yaml", R"(version: 1
root: infra
environments:
  prod: {}
stages:
  - name: data
    apply: {}
    rollback: maybe
    watch: schemas
)");
    try {
        load_rollout_file(file);
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        REQUIRE(e.problems().size() == 2);
        CHECK(e.problems()[0].key == "stages[0].watch");
        CHECK(e.problems()[0].message.find("expected a list") != std::string::npos);
        CHECK(e.problems()[1].key == "stages[0].rollback");
        CHECK(e.problems()[1].message.find("expected a boolean") != std::string::npos);
    }
}
