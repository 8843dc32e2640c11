#include "rollout/lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "rollout/journal.hpp"
#include "rollout/liveness.hpp"
#include "rollout/root_workspace.hpp"
#include "support/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

std::string lock_name(const fs::path& root_dir, const std::string& workspace) {
    const std::string key = fs::weakly_canonical(root_dir).string() + "\n" + workspace;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(key));
    return std::string(hex) + "-" + workspace + ".lock";
}

json read_holder(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str(), nullptr, false);
}

}  // namespace

RolloutLock::RolloutLock(const fs::path& lock_dir, const fs::path& root_dir, const std::string& workspace,
                         const std::string& run_id) {
    std::error_code ec;
    fs::create_directories(lock_dir, ec);
    path_ = lock_dir / lock_name(root_dir, workspace);
    const json holder{{"run", run_id},       {"pid", ::getpid()},     {"host", host_name()},
                      {"root", root_dir.string()}, {"workspace", workspace}, {"since", now_iso8601()}};
    for (int attempt = 0; attempt < 2; ++attempt) {
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            const std::string text = holder.dump() + "\n";
            const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            ::fsync(fd);
            ::close(fd);
            if (!written) throw Error(ErrorCode::io, "cannot write the lock file " + path_.string());
            return;
        }
        if (errno != EEXIST)
            throw Error(ErrorCode::io, "cannot create the lock file " + path_.string() + ": " + std::strerror(errno));
        const json current = read_holder(path_);
        const Holder holding = holder_of(current);
        const long pid = holding.pid;
        if (holding.on_this_host() && !process_alive(pid)) {
            fs::remove(path_, ec);  // the holder died without cleaning up: take over
            continue;
        }
        std::string who = current.is_object() ? "run " + current.value("run", std::string("?")) + " (pid " +
                                                    std::to_string(pid) + " on " + current.value("host", std::string("?")) +
                                                    ", since " + current.value("since", std::string("?")) + ")"
                                              : "an unreadable lock file";
        throw Error(ErrorCode::state_locked, "another rollout holds " + root_dir.string() + " workspace '" + workspace +
                                                 "': " + who + "; wait for it to finish, or remove " + path_.string() +
                                                 " if that process is gone");
    }
    throw Error(ErrorCode::state_locked, "cannot take the lock " + path_.string());
}

RolloutLock::~RolloutLock() {
    std::error_code ec;
    fs::remove(path_, ec);
}

Locks lock_roots(const Rollout& rollout, const std::string& environment_name, const std::string& run_id) {
    const Environment* environment = rollout.find_environment(environment_name);
    Locks locks;
    if (environment == nullptr) return locks;
    std::set<std::string> keys;
    for (const auto& stage : rollout.stages) {
        if (!uses_terraform(stage)) continue;
        const RootWorkspace where = root_workspace_of(rollout, *environment, stage);
        if (keys.insert(where.key()).second)
            locks.push_back(std::make_unique<RolloutLock>(where.dir / ".terraform" / "tfstage-locks", where.dir,
                                                          where.workspace, run_id));
    }
    return locks;
}

}  // namespace tfstage::rollout
