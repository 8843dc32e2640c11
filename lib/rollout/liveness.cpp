#include "rollout/liveness.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "rollout/journal.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {

std::string host_name() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

Holder holder_of(const json& record) {
    Holder holder;
    if (!record.is_object()) return holder;
    if (record.contains("pid") && record["pid"].is_number_integer()) holder.pid = record["pid"].get<long>();
    if (record.contains("host") && record["host"].is_string()) holder.host = record["host"].get<std::string>();
    return holder;
}

json observed(json journal) {
    if (!journal.is_object() || journal.value("status", "") != run_status::running) return journal;
    const Holder holder = holder_of(journal);
    // A journal from before pids were recorded, or from another machine: nothing to tell.
    if (holder.pid <= 0 || !holder.on_this_host() || process_alive(holder.pid)) return journal;
    journal["status"] = run_status::interrupted;
    journal["process_gone"] = true;
    for (auto& stage : journal["stages"])
        if (stage.value("status", "") == stage_status::running) stage["status"] = stage_status::interrupted;
    return journal;
}

}  // namespace tfstage::rollout
