// Which run `tfstage rollback RUN` goes back to, read from journals alone (nothing runs): the
// last successful apply of the same environment and rollout file before RUN, and a clear
// refusal when there is none or it has no commit to return to.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "rollout/journal.hpp"
#include "rollout/runner.hpp"
#include "rollout/scratch.hpp"
#include "support/error.hpp"

using namespace tfstage;
using nlohmann::json;

namespace {

constexpr const char* kCommit = "0123456789abcdef0123456789abcdef01234567";

// A journal as a run leaves it, with only the keys the choice reads.
void journal(const test::RolloutScratch& scratch, const std::string& id, const std::string& environment,
             const std::string& status, const std::string& kind = "run", bool with_commit = true) {
    json doc{{"schema_version", 1},   {"run", id},       {"environment", environment},
             {"rollout_file", (scratch.dir() / "rollout.yaml").string()}, {"kind", kind}, {"status", status},
             {"stages", json::array()}};
    if (with_commit) doc["git"] = {{"commit", kCommit}};
    std::filesystem::create_directories(scratch.dir() / ".tfstage" / "runs" / id);
    scratch.write(".tfstage/runs/" + id + "/journal.json", doc.dump());
}

std::string refusal(const test::RolloutScratch& scratch, const std::string& run) {
    try {
        rollout::rollback_run(scratch.dir() / ".tfstage", run, {});
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("rollback: the run gone back to is the last successful apply of the same environment before RUN") {
    test::RolloutScratch scratch;
    // In one second, in the order they started (run ids sort by the millisecond).
    journal(scratch, "20261202-101500-0100", "prod", "succeeded", "run", /*with_commit=*/false);  // the one
    journal(scratch, "20261202-101500-0200", "staging", "succeeded");                           // another environment
    journal(scratch, "20261202-101500-0300", "prod", "succeeded", "plan");                      // planned, applied nothing
    journal(scratch, "20261202-101500-0400", "prod", "failed");                                 // failed
    journal(scratch, "20261202-101500-0500", "prod", "failed");                                 // RUN
    journal(scratch, "20261202-101500-0600", "prod", "succeeded");                              // after RUN
    // The chosen run has no commit, so the refusal names it.
    const std::string message = refusal(scratch, "20261202-101500-0500");
    CHECK(message.find("run 20261202-101500-0100, the last successful run before 20261202-101500-0500, recorded no git commit") !=
          std::string::npos);
}

TEST_CASE("rollback: no successful run before RUN, a plan run, and an unknown run are refused clearly") {
    test::RolloutScratch scratch;
    journal(scratch, "20261202-101500-0100", "staging", "succeeded");
    journal(scratch, "20261202-101500-0200", "prod", "interrupted");
    journal(scratch, "20261202-101500-0300", "prod", "failed");
    journal(scratch, "20261202-101500-0400", "prod", "succeeded", "plan");
    CHECK(refusal(scratch, "20261202-101500-0300").find("there is no successful run of environment 'prod' before run 20261202-101500-0300") !=
          std::string::npos);
    CHECK(refusal(scratch, "20261202-101500-0400").find("was a plan: it applied nothing to roll back") != std::string::npos);
    CHECK(refusal(scratch, "20261202-999999-0000").find("no run '20261202-999999-0000'") != std::string::npos);
}

TEST_CASE("journal: run ids made one after another sort in the order they were made") {
    test::RolloutScratch scratch;
    std::vector<std::string> ids;
    for (int i = 0; i < 5; ++i) ids.push_back(rollout::Journal::create(scratch.dir() / ".tfstage", json::object()).run_id());
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(*rollout::Journal::latest_run(scratch.dir() / ".tfstage") == ids.back());
}
