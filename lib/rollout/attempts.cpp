#include "rollout/attempts.hpp"

#include "rollout/journal.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

// The keys one attempt writes; everything else (name, kind, inputs, checks_pending, the plan
// awaiting approval) describes the stage across attempts.
constexpr const char* kPerAttempt[] = {"started_at", "finished_at", "duration_ms", "applied",  "approval",
                                       "checks",     "commands",    "rollback",    "error",    "rejected",
                                       "stale_plan", "policy_violations", "stacks", "failed_stacks", "timings"};

json summary_of_checks(const json& checks) {
    json out = json::array();
    for (const auto& c : checks)
        if (c.is_object())
            out.push_back({{"name", c.value("name", "")},
                           {"passed", c.value("passed", false)},
                           {"attempts", c.contains("attempts") && c["attempts"].is_array() ? c["attempts"].size() : 0}});
    return out;
}

}  // namespace

void archive_attempt(json& record) {
    if (!record.is_object() || !record.contains("started_at")) {
        if (record.is_object()) record["attempt"] = 1;
        return;
    }
    const int number = record.value("attempt", 1);
    std::string status = record.value("status", "");
    if (status == stage_status::running) status = stage_status::interrupted;
    json past{{"attempt", number}, {"status", status}};
    for (const char* key : {"started_at", "finished_at", "duration_ms", "applied", "approval", "error", "rejected",
                            "stale_plan", "commands", "rollback", "failed_stacks"})
        if (record.contains(key)) past[key] = record[key];
    if (record.contains("plan") && record["plan"].is_object())
        past["plan"] = {{"sha256", record["plan"].value("sha256", "")},
                        {"summary", record["plan"].value("summary", json::object())}};
    if (record.contains("checks")) past["checks"] = summary_of_checks(record["checks"]);
    if (!record.contains("attempts") || !record["attempts"].is_array()) record["attempts"] = json::array();
    record["attempts"].push_back(std::move(past));
    for (const char* key : kPerAttempt) record.erase(key);
    record["attempt"] = number + 1;
}

}  // namespace tfstage::rollout
