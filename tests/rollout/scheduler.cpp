// The scheduler's rules with a test executor behind its seam: no Terraform, no processes,
// milliseconds per case. Needs order, exclusive keys (one root and workspace) never overlap,
// the parallelism limit, a failure stops new starts, deadlines cancel only what they cover,
// an interrupt cancels everything, and reuse on resume.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "rollout/journal.hpp"
#include "rollout/scheduler.hpp"

using namespace tfstage;
using namespace tfstage::rollout;
using namespace std::chrono_literals;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// What a test stage does: run for `work` (or until cancelled, when `until_cancelled`), then
// end in `status`; `key` is its exclusive key.
struct Plan {
    std::chrono::milliseconds work{20};
    std::string status = stage_status::succeeded;
    std::string key;
    bool until_cancelled = false;
};

struct Span {
    Clock::time_point start;
    Clock::time_point end;
    bool cancelled = false;
};

class TestExecutor : public StageExecutor {
public:
    std::map<std::string, Plan> plans;
    std::map<std::string, std::string> reuse;  // stage -> status to reuse when ready
    std::map<std::string, Span> spans;
    std::vector<std::pair<std::string, std::string>> events;  // (type, stage)
    std::atomic<int> running{0};
    int most_running = 0;

    std::string execute(const Stage& stage, process::CancelToken& cancel) override {
        const Plan plan = plans[stage.name];
        const auto start = Clock::now();
        {
            std::lock_guard lock(mutex_);
            most_running = std::max(most_running, ++running);
        }
        const auto until = start + plan.work;
        while ((plan.until_cancelled || Clock::now() < until) && !cancel.cancelled()) std::this_thread::sleep_for(1ms);
        --running;
        std::lock_guard lock(mutex_);
        spans[stage.name] = {start, Clock::now(), cancel.cancelled()};
        return cancel.cancelled() ? stage_status::interrupted : plan.status;
    }
    std::string exclusive_key(const Stage& stage) const override {
        const auto it = plans.find(stage.name);
        return it == plans.end() ? "" : it->second.key;
    }
    std::optional<std::string> reuse_when_ready(const Stage& stage) override {
        const auto it = reuse.find(stage.name);
        if (it == reuse.end()) return std::nullopt;
        return it->second;
    }
    void event(const std::string& type, const std::string& stage, const json&) override {
        std::lock_guard lock(mutex_);
        events.emplace_back(type, stage);
    }
    bool overlap(const std::string& a, const std::string& b) const {
        const Span& x = spans.at(a);
        const Span& y = spans.at(b);
        return x.start < y.end && y.start < x.end;
    }

private:
    std::mutex mutex_;
};

Stage stage(const std::string& name, std::optional<std::chrono::milliseconds> deadline = std::nullopt) {
    Stage s;
    s.name = name;
    if (deadline) s.deadline = *deadline;
    return s;
}

struct Run {
    std::vector<Stage> stages;
    std::map<std::string, std::vector<std::string>> needs;
    std::map<std::string, std::string> initial;
    SchedulerOptions options;
    TestExecutor executor;

    std::map<std::string, std::string> go(Scheduler** out = nullptr) {
        std::vector<std::string> order;
        for (const auto& s : stages) {
            order.push_back(s.name);
            needs.try_emplace(s.name);
        }
        options.tick = 5ms;
        Scheduler scheduler(stages, order, needs, initial, options, executor);
        if (out != nullptr) *out = &scheduler;
        scheduler.run();
        rollout_deadline_hit = scheduler.rollout_deadline_hit();
        for (const auto& s : stages) stage_deadline_hit[s.name] = scheduler.stage_deadline_hit(s.name);
        return scheduler.statuses();
    }
    bool rollout_deadline_hit = false;
    std::map<std::string, bool> stage_deadline_hit;
};

}  // namespace

TEST_CASE("scheduler: a stage starts only after the stages it needs have finished") {
    Run r;
    r.stages = {stage("a"), stage("b"), stage("c")};
    r.needs = {{"b", {"a"}}, {"c", {"b"}}};
    const auto statuses = r.go();
    CHECK(statuses.at("c") == stage_status::succeeded);
    CHECK(r.executor.spans.at("a").end <= r.executor.spans.at("b").start);
    CHECK(r.executor.spans.at("b").end <= r.executor.spans.at("c").start);
}

TEST_CASE("scheduler: stages with one exclusive key never overlap, stages with different keys do") {
    Run r;
    r.stages = {stage("infra-1"), stage("infra-2"), stage("edge-1"), stage("command")};
    r.executor.plans = {{"infra-1", {60ms, stage_status::succeeded, "infra\ndev"}},
                        {"infra-2", {60ms, stage_status::succeeded, "infra\ndev"}},
                        {"edge-1", {60ms, stage_status::succeeded, "edge\ndev"}},
                        {"command", {60ms, stage_status::succeeded, ""}}};
    r.options.parallelism = 4;
    r.go();
    CHECK_FALSE(r.executor.overlap("infra-1", "infra-2"));
    CHECK(r.executor.overlap("infra-1", "edge-1"));
    CHECK(r.executor.overlap("infra-1", "command"));
}

TEST_CASE("scheduler: no more stages run at once than the parallelism allows") {
    for (int parallelism : {1, 2, 3}) {
        CAPTURE(parallelism);
        Run r;
        for (int i = 0; i < 6; ++i) r.stages.push_back(stage("s" + std::to_string(i)));
        for (const auto& s : r.stages) r.executor.plans[s.name] = {30ms};
        r.options.parallelism = parallelism;
        r.go();
        CHECK(r.executor.most_running == parallelism);
        CHECK(r.executor.spans.size() == 6);
    }
}

TEST_CASE("scheduler: after a failure no new stage starts, and the ones running finish") {
    Run r;
    r.stages = {stage("fails"), stage("slow"), stage("after")};
    r.needs = {{"after", {"slow"}}};
    r.executor.plans = {{"fails", {10ms, stage_status::failed}}, {"slow", {80ms}}, {"after", {10ms}}};
    const auto statuses = r.go();
    CHECK(statuses.at("fails") == stage_status::failed);
    CHECK(statuses.at("slow") == stage_status::succeeded);  // it was running: it finishes
    CHECK(statuses.at("after") == stage_status::pending);   // never started
    CHECK(r.executor.spans.count("after") == 0);
}

TEST_CASE("scheduler: a stage's deadline cancels that stage only") {
    Run r;
    r.stages = {stage("late", 40ms), stage("other")};
    r.executor.plans = {{"late", {0ms, stage_status::succeeded, "", true}}, {"other", {100ms}}};
    const auto statuses = r.go();
    CHECK(r.executor.spans.at("late").cancelled);
    CHECK(r.stage_deadline_hit.at("late"));
    CHECK_FALSE(r.stage_deadline_hit.at("other"));
    CHECK_FALSE(r.executor.spans.at("other").cancelled);
    CHECK(statuses.at("other") == stage_status::succeeded);
    const auto expected = std::pair<std::string, std::string>{"deadline_exceeded", "late"};
    CHECK(std::count(r.executor.events.begin(), r.executor.events.end(), expected) == 1);
}

TEST_CASE("scheduler: the rollout's deadline cancels what runs and starts nothing more") {
    Run r;
    r.stages = {stage("running"), stage("next")};
    r.needs = {{"next", {"running"}}};
    r.executor.plans = {{"running", {0ms, stage_status::succeeded, "", true}}};
    r.options.rollout_deadline = Clock::now() + 40ms;
    const auto statuses = r.go();
    CHECK(r.rollout_deadline_hit);
    CHECK(r.executor.spans.at("running").cancelled);
    CHECK(statuses.at("next") == stage_status::pending);
    const auto expected = std::pair<std::string, std::string>{"deadline_exceeded", ""};
    CHECK(std::count(r.executor.events.begin(), r.executor.events.end(), expected) == 1);
}

TEST_CASE("scheduler: an interrupt cancels every running stage and nothing more starts") {
    Run r;
    r.stages = {stage("a"), stage("b"), stage("c")};
    r.needs = {{"c", {"a"}}};
    r.executor.plans = {{"a", {0ms, stage_status::succeeded, "", true}}, {"b", {0ms, stage_status::succeeded, "", true}}};
    r.options.cancel = std::make_shared<process::CancelToken>();
    std::thread interrupter([&] {
        std::this_thread::sleep_for(30ms);
        r.options.cancel->cancel();
    });
    // The scheduler copies the options: hand it the same token.
    const auto token = r.options.cancel;
    const auto statuses = r.go();
    interrupter.join();
    CHECK(token->cancelled());
    CHECK(statuses.at("a") == stage_status::interrupted);
    CHECK(statuses.at("b") == stage_status::interrupted);
    CHECK(statuses.at("c") == stage_status::pending);
    CHECK_FALSE(r.rollout_deadline_hit);
}

TEST_CASE("scheduler: finished stages are not run again, and a stage reused when ready lets its dependents start") {
    Run r;
    r.stages = {stage("done"), stage("reused"), stage("last")};
    r.needs = {{"reused", {"done"}}, {"last", {"reused"}}};
    r.initial = {{"done", stage_status::succeeded}};
    r.executor.reuse = {{"reused", stage_status::no_changes}};
    const auto statuses = r.go();
    CHECK(r.executor.spans.count("done") == 0);
    CHECK(r.executor.spans.count("reused") == 0);
    CHECK(statuses.at("reused") == stage_status::no_changes);
    CHECK(statuses.at("last") == stage_status::succeeded);
}

TEST_CASE("scheduler: a skipped stage counts as settled, and an exception in a stage is a failure") {
    struct Throwing : TestExecutor {
        std::string execute(const Stage& s, process::CancelToken& cancel) override {
            if (s.name == "throws") throw std::runtime_error("boom");
            return TestExecutor::execute(s, cancel);
        }
    };
    std::vector<Stage> stages = {stage("skipped"), stage("after"), stage("throws")};
    Throwing executor;
    SchedulerOptions options;
    options.tick = 5ms;
    options.parallelism = 1;
    Scheduler scheduler(stages, {"skipped", "after", "throws"}, {{"skipped", {}}, {"after", {"skipped"}}, {"throws", {"after"}}},
                        {{"skipped", stage_status::skipped}}, options, executor);
    scheduler.run();
    CHECK(scheduler.statuses().at("after") == stage_status::succeeded);
    CHECK(scheduler.statuses().at("throws") == stage_status::failed);
}
