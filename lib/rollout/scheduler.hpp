// The scheduler of a run: which stage starts when. It walks the stage graph (a stage starts
// when its needs are settled), keeps at most `parallelism` stages running, never runs two
// stages with the same exclusive key at once (one root and workspace share a state lock),
// stops starting stages after a failure, an interrupt or the rollout's deadline, and cancels a
// running stage when its own deadline or the rollout's passes. What a stage does is the
// executor's business: the scheduler is written against StageExecutor, so that its rules are
// tested with a test executor in milliseconds (tests/rollout/scheduler.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "rollout/model.hpp"

namespace tfstage::rollout {

class StageExecutor {
public:
    virtual ~StageExecutor() = default;
    // Runs the stage to its final status (a stage_status value). `cancel` is the stage's own
    // token: the scheduler cancels it for the stage's deadline, the rollout's, or an interrupt.
    // An exception counts as `failed`.
    virtual std::string execute(const Stage& stage, process::CancelToken& cancel) = 0;
    // Stages with the same non-empty key never run at the same time.
    virtual std::string exclusive_key(const Stage& stage) const = 0;
    // Asked once, when a pending stage's needs are settled and before it starts: a status to
    // reuse (the stage is not run), or nullopt to run it.
    virtual std::optional<std::string> reuse_when_ready(const Stage& stage) {
        (void)stage;
        return std::nullopt;
    }
    // Run-level (stage "") and stage events of the scheduler's own: deadline_exceeded.
    virtual void event(const std::string& type, const std::string& stage, const nlohmann::json& data) {
        (void)type;
        (void)stage;
        (void)data;
    }
};

struct SchedulerOptions {
    int parallelism = 4;
    std::shared_ptr<process::CancelToken> cancel;  // the run's: interrupts everything
    std::optional<std::chrono::steady_clock::time_point> rollout_deadline;
    std::chrono::milliseconds tick{100};  // how often deadlines and the run's token are looked at
};

class Scheduler {
public:
    // `order`: stage names, dependencies first; `needs`: each stage's needs; `initial`: each
    // stage's status before the run (pending, or final for stages not run again).
    Scheduler(const std::vector<Stage>& stages, std::vector<std::string> order,
              std::map<std::string, std::vector<std::string>> needs, std::map<std::string, std::string> initial,
              SchedulerOptions options, StageExecutor& executor);

    // Runs until nothing runs and nothing more can start.
    void run();

    // After run(): each stage's final status (pending for stages that never started). The two
    // deadline questions may be asked during run() too.
    const std::map<std::string, std::string>& statuses() const { return state_; }
    bool rollout_deadline_hit() const;
    // Whether the scheduler cancelled this stage for its own deadline (safe during run()).
    bool stage_deadline_hit(const std::string& stage) const;

private:
    const Stage& stage_named(const std::string& name) const;
    bool settled(const std::string& need) const;  // done or skipped, and so is everything it needs
    void start_ready_stages(std::vector<std::thread>& threads);
    void watch_deadlines();
    void finish(const Stage& stage, const std::string& status);

    const std::vector<Stage>& stages_;
    std::vector<std::string> order_;
    std::map<std::string, std::vector<std::string>> needs_;
    std::map<std::string, std::string> state_;
    SchedulerOptions options_;
    StageExecutor& executor_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> busy_keys_;
    int running_ = 0;
    bool stop_ = false;
    bool rollout_deadline_hit_ = false;
    std::set<std::string> stage_deadline_hit_;
    std::set<std::string> asked_reuse_;
    std::map<std::string, std::shared_ptr<process::CancelToken>> tokens_;
    std::map<std::string, std::chrono::steady_clock::time_point> deadlines_;
};

}  // namespace tfstage::rollout
