// Whether the process that wrote a journal or holds a lock still lives. A journal says
// `running` while its run works; when that process died (kill -9, a lost machine), readers must
// not believe it: `status` and `history` show the run as interrupted, and `resume` refuses a
// run whose process is still alive instead of writing into its journal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tfstage::rollout {

std::string host_name();

// True when a process with this pid exists on this machine (EPERM counts: it exists).
bool process_alive(long pid);

// The pid and host a running journal or a lock file records ({"pid":..,"host":..}).
struct Holder {
    long pid = 0;
    std::string host;
    bool on_this_host() const { return !host.empty() && host == host_name(); }
    // Alive on this host; a holder on another host cannot be checked from here and counts as alive.
    bool alive() const { return !on_this_host() || process_alive(pid); }
};
Holder holder_of(const nlohmann::json& record);

// A journal as readers should see it: a run that says `running` but whose process is gone from
// this host is `interrupted` (with "process_gone": true); anything else is returned unchanged.
nlohmann::json observed(nlohmann::json journal);

}  // namespace tfstage::rollout
