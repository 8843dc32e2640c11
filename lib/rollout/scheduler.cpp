#include "rollout/scheduler.hpp"

#include <algorithm>

#include "rollout/journal.hpp"
#include "support/error.hpp"
#include "support/log.hpp"

#include <spdlog/spdlog.h>

namespace tfstage::rollout {

using Clock = std::chrono::steady_clock;

Scheduler::Scheduler(const std::vector<Stage>& stages, std::vector<std::string> order,
                     std::map<std::string, std::vector<std::string>> needs, std::map<std::string, std::string> initial,
                     SchedulerOptions options, StageExecutor& executor)
    : stages_(stages),
      order_(std::move(order)),
      needs_(std::move(needs)),
      state_(std::move(initial)),
      options_(std::move(options)),
      executor_(executor) {
    if (!options_.cancel) options_.cancel = std::make_shared<process::CancelToken>();
    for (const auto& name : order_) state_.try_emplace(name, stage_status::pending);
}

const Stage& Scheduler::stage_named(const std::string& name) const {
    for (const auto& stage : stages_)
        if (stage.name == name) return stage;
    throw Error(ErrorCode::invalid_argument, "the scheduler has no stage '" + name + "'");
}

bool Scheduler::rollout_deadline_hit() const {
    std::lock_guard lock(mutex_);
    return rollout_deadline_hit_;
}

bool Scheduler::stage_deadline_hit(const std::string& stage) const {
    std::lock_guard lock(mutex_);
    return stage_deadline_hit_.count(stage) > 0;
}

// A need is settled when it is done and so is everything it needs in turn: a stage reused on
// resume whose own need runs again (a CDK synth) is not.
bool Scheduler::settled(const std::string& need) const {
    const auto& status = state_.at(need);
    if (!(is_done(status) || status == stage_status::skipped)) return false;
    const auto& its = needs_.at(need);
    return std::all_of(its.begin(), its.end(), [this](const std::string& n) { return settled(n); });
}

// Deadlines and interrupts: cancel what runs, start nothing new.
void Scheduler::watch_deadlines() {
    const auto now = Clock::now();
    const bool rollout_late = options_.rollout_deadline && now >= *options_.rollout_deadline;
    if (rollout_late && !rollout_deadline_hit_) {
        rollout_deadline_hit_ = true;
        executor_.event("deadline_exceeded", "", {{"scope", "rollout"}});
    }
    const bool interrupted = options_.cancel->cancelled();
    if (interrupted || rollout_late) stop_ = true;
    for (auto& [name, token] : tokens_) {
        if (state_[name] != stage_status::running) continue;
        const auto d = deadlines_.find(name);
        const bool stage_late = d != deadlines_.end() && now >= d->second;
        if (stage_late && !token->cancelled() && stage_deadline_hit_.insert(name).second)
            executor_.event("deadline_exceeded", name, {{"scope", "stage"}});
        if (interrupted || rollout_late || stage_late) token->cancel();
    }
}

void Scheduler::start_ready_stages(std::vector<std::thread>& threads) {
    for (const auto& name : order_) {
        if (running_ >= std::max(1, options_.parallelism)) break;
        if (state_[name] != stage_status::pending) continue;
        const auto& its = needs_[name];
        if (!std::all_of(its.begin(), its.end(), [this](const std::string& n) { return settled(n); })) continue;
        const Stage& stage = stage_named(name);
        if (asked_reuse_.insert(name).second) {
            if (auto reused = executor_.reuse_when_ready(stage)) {
                state_[name] = *reused;
                changed_.notify_all();
                continue;
            }
        }
        const std::string key = executor_.exclusive_key(stage);
        if (!key.empty() && busy_keys_.count(key)) continue;
        if (!key.empty()) busy_keys_.insert(key);
        state_[name] = stage_status::running;
        ++running_;
        auto token = std::make_shared<process::CancelToken>();
        tokens_[name] = token;
        if (stage.deadline) deadlines_[name] = Clock::now() + *stage.deadline;
        threads.emplace_back([this, &stage, token] {
            std::string status;
            try {
                status = executor_.execute(stage, *token);
            } catch (const std::exception& e) {
                log().error("stage {}: {}", stage.name, e.what());
                status = stage_status::failed;
            }
            finish(stage, status);
        });
    }
}

void Scheduler::finish(const Stage& stage, const std::string& status) {
    const std::string key = executor_.exclusive_key(stage);
    std::lock_guard lock(mutex_);
    state_[stage.name] = status;
    busy_keys_.erase(key);
    --running_;
    // A command stage skipped by `tfstage plan` is no failure: the stages after it still plan.
    if (!is_done(status) && status != stage_status::skipped) stop_ = true;
    changed_.notify_all();
}

void Scheduler::run() {
    std::vector<std::thread> threads;
    std::unique_lock lock(mutex_);
    while (true) {
        watch_deadlines();
        if (!stop_) start_ready_stages(threads);
        if (running_ == 0) break;  // nothing runs, and nothing more can start
        changed_.wait_for(lock, options_.tick);
    }
    lock.unlock();
    for (auto& t : threads) t.join();
}

}  // namespace tfstage::rollout
