// The orphan guard: a program using the library is killed (SIGKILL) while its child runs; the
// child's group must be interrupted once (SIGINT), then killed after its grace, and nothing of
// it may be left. The program is tests/process/orphan_helper.cpp.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process/process.hpp"

using namespace tfstage::process;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// A scratch directory of this test's own.
struct Scratch {
    fs::path path;
    Scratch() {
        path = fs::temp_directory_path() / ("tfstage-orphan-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~Scratch() { fs::remove_all(path); }
};

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Processes of a group that still run (zombies waiting for their new parent to reap them
// run nothing and are not counted).
std::vector<int> live_members(int pgid) {
    std::vector<int> out;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = read_text(entry.path() / "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(stat.substr(close + 2));
        char state = 0;
        int ppid = 0;
        int group = 0;
        fields >> state >> ppid >> group;
        if (group == pgid && state != 'Z') out.push_back(std::stoi(name));
    }
    return out;
}

bool alive(int pid) {
    const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && stat.size() > close + 2 && stat[close + 2] != 'Z';
}

template <class Predicate>
bool wait_for(Predicate predicate, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

int read_pid(const fs::path& file) {
    const std::string text = read_text(file);
    return text.empty() ? 0 : std::stoi(text);
}

// The helper's watchdog, from its "guard PID" line.
int guard_of(const Background& helper) {
    const std::string output = helper.output();
    const auto at = output.find("guard ");
    return at == std::string::npos ? 0 : std::atoi(output.c_str() + at + 6);
}

Command helper_command(int grace_ms, int cancel_after_ms, const std::string& script) {
    Command c;
    c.argv = {TFSTAGE_ORPHAN_HELPER, std::to_string(grace_ms), std::to_string(cancel_after_ms), "sh", "-c", script};
    return c;
}

}  // namespace

TEST_CASE("orphan guard: when the parent is killed, its child's group gets SIGINT and nothing is left") {
    Scratch dir;
    const std::string pgid_file = (dir.path / "pgid").string();
    const std::string log = (dir.path / "log").string();
    // sh traps SIGINT; its background sleep ignores it (as in any non-interactive shell) and
    // is what the SIGKILL after the grace period is for.
    Background helper(helper_command(
        1000, 0, "trap 'echo got-int >> " + log + "; exit 0' INT; echo $$ > " + pgid_file + ".tmp; mv " + pgid_file +
                     ".tmp " + pgid_file + "; sleep 30 & wait"));
    REQUIRE(wait_for([&] { return fs::exists(pgid_file); }, 10s));
    const int pgid = read_pid(pgid_file);
    const int guard = guard_of(helper);
    REQUIRE(pgid > 1);
    REQUIRE(guard > 1);
    CHECK(alive(guard));
    CHECK(wait_for([&] { return live_members(pgid).size() == 2; }, 3s));  // sh and sleep

    ::kill(helper.pid(), SIGKILL);
    const auto killed_at = std::chrono::steady_clock::now();
    CHECK(wait_for([&] { return read_text(log) == "got-int\n"; }, 3s));
    CHECK(wait_for([&] { return live_members(pgid).empty(); }, 5s));
    CHECK(std::chrono::steady_clock::now() - killed_at >= 900ms);  // the sleep lasted the grace period
    // Its work done, the watchdog is gone too.
    CHECK(wait_for([&] { return !alive(guard); }, 3s));
    CHECK(read_text(log) == "got-int\n");  // once
    helper.stop(0ms);
}

TEST_CASE("orphan guard: a child that ignores SIGINT is killed after its grace period") {
    Scratch dir;
    const std::string pgid_file = (dir.path / "pgid").string();
    Background helper(helper_command(
        500, 0, "trap '' INT; echo $$ > " + pgid_file + ".tmp; mv " + pgid_file + ".tmp " + pgid_file + "; sleep 30"));
    REQUIRE(wait_for([&] { return fs::exists(pgid_file); }, 10s));
    const int pgid = read_pid(pgid_file);
    REQUIRE(pgid > 1);
    ::kill(helper.pid(), SIGKILL);
    const auto killed_at = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(250ms);
    CHECK_FALSE(live_members(pgid).empty());  // still within its grace
    CHECK(wait_for([&] { return live_members(pgid).empty(); }, 5s));
    const auto took = std::chrono::steady_clock::now() - killed_at;
    CHECK(took >= 450ms);
    CHECK(took < 4s);
    helper.stop(0ms);
}

TEST_CASE("orphan guard: a child the parent had already interrupted gets no second SIGINT") {
    // Terraform takes a second SIGINT as "exit now, data loss may occur": when tfstage dies
    // while a cancelled Terraform is stopping, the watchdog only enforces the grace period.
    Scratch dir;
    const std::string pgid_file = (dir.path / "pgid").string();
    const std::string log = (dir.path / "log").string();
    Background helper(helper_command(1500, 300,
                                     "trap 'echo int >> " + log + "' INT; echo $$ > " + pgid_file + ".tmp; mv " +
                                         pgid_file + ".tmp " + pgid_file + "; while :; do sleep 0.05; done"));
    REQUIRE(wait_for([&] { return fs::exists(pgid_file); }, 10s));
    const int pgid = read_pid(pgid_file);
    REQUIRE(pgid > 1);
    REQUIRE(wait_for([&] { return read_text(log) == "int\n"; }, 5s));  // the helper's cancel
    ::kill(helper.pid(), SIGKILL);
    CHECK(wait_for([&] { return live_members(pgid).empty(); }, 5s));
    CHECK(read_text(log) == "int\n");
    helper.stop(0ms);
}

TEST_CASE("orphan guard: children are registered and the watchdog runs while the parent lives") {
    Command c;
    c.argv = {"true"};
    CHECK(run(c).exit_code == 0);
    const int guard = orphan_guard_pid();
    REQUIRE(guard > 1);
    CHECK(alive(guard));
    // It is not our child: nothing here may wait for it.
    CHECK(::waitpid(guard, nullptr, WNOHANG) == -1);
    // And it holds none of our descriptors: only its end of the socket.
    std::error_code ec;
    int count = 0;
    for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(guard) + "/fd", ec)) {
        (void)fd;
        ++count;
    }
    if (!ec) CHECK(count == 1);
}
