// One meaning of a run's status for every skin (lib/rollout/run_outcome), and the stage kind
// words (lib/rollout/model).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "rollout/journal.hpp"
#include "rollout/model.hpp"
#include "rollout/run_outcome.hpp"

using namespace tfstage;
using namespace tfstage::rollout;

TEST_CASE("run outcome: every run status has one exit code, one C status and one Python exception") {
    const std::set<std::string> statuses = {run_status::running,           run_status::succeeded,
                                            run_status::failed,            run_status::awaiting_approval,
                                            run_status::policy_violation,  run_status::deadline_exceeded,
                                            run_status::unconverged,       run_status::rolled_back,
                                            run_status::rollback_failed,   run_status::interrupted};
    std::set<std::string> listed;
    for (const auto& outcome : run_outcomes()) listed.insert(std::string(outcome.status));
    CHECK(listed == statuses);

    const auto& unconverged = run_outcome(run_status::unconverged);
    CHECK(unconverged.exit_code == 6);
    CHECK(unconverged.c_status == static_cast<int>(ErrorCode::unconverged));
    CHECK(unconverged.python_exception == "Unconverged");

    CHECK(run_outcome(run_status::succeeded).exit_code == 0);
    CHECK(run_outcome(run_status::succeeded).c_status == 0);
    CHECK(run_outcome(run_status::succeeded).python_exception.empty());
    CHECK(run_outcome(run_status::awaiting_approval).exit_code == 3);
    CHECK(run_outcome(run_status::awaiting_approval).c_status == static_cast<int>(ErrorCode::awaiting_approval));
    CHECK(run_outcome(run_status::interrupted).exit_code == 130);
    CHECK(run_outcome(run_status::interrupted).python_exception == "Cancelled");
    // A word a newer release may write is a failure, never a success.
    CHECK(run_outcome("some_new_status").exit_code == 1);
    CHECK(run_outcome("some_new_status").c_status == static_cast<int>(ErrorCode::generic));
}

TEST_CASE("stage kind words: a cdk stage is cdk, not apply") {
    CHECK(std::string(stage_kind_word(StageKind::apply)) == "apply");
    CHECK(std::string(stage_kind_word(StageKind::destroy)) == "destroy");
    CHECK(std::string(stage_kind_word(StageKind::command)) == "command");
    CHECK(std::string(stage_kind_word(StageKind::cdk)) == "cdk");
}

TEST_CASE("validation problems as diagnostics: the message in summary and the key in address") {
    const Problem problem{{"/x/rollout.yaml", 12, 5}, "stages[2].needs[0]", "no stage 'nowhere'"};
    const Diagnostic d = to_diagnostic(problem);
    CHECK(d.severity == "error");
    CHECK(d.summary == "no stage 'nowhere'");
    CHECK(d.filename == "/x/rollout.yaml");
    CHECK(d.line == 12);
    CHECK(d.column == 5);
    CHECK(d.address == "stages[2].needs[0]");
}
