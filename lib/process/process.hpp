// Running a child process: argv only (never a shell), environment and working directory per
// call, output streamed line by line, a timeout, and graceful cancellation (SIGINT to the
// child's process group, then SIGKILL after a grace period). Boost.Process stays inside
// lib/process/*.cpp so that the rest of the code never sees it.
//
// A child outlives nothing of ours unattended: its output goes to unlinked temporary files,
// not to pipes (a Go program such as Terraform writing to a pipe whose reader died gets
// SIGPIPE and dies without saving its state), and the orphan guard (orphan_guard.hpp), a
// watchdog process, sends SIGINT to every child's group when we die, even by SIGKILL, then
// SIGKILL after the child's grace period.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tfstage::process {

// Shared between the caller and a running child: cancel() may be called from any thread.
class CancelToken {
public:
    void cancel() noexcept { requested_.store(true); }
    bool cancelled() const noexcept { return requested_.load(); }

private:
    std::atomic<bool> requested_{false};
};

enum class Stream { out, err };

// Called once per complete line (without the newline), never concurrently.
using LineCallback = std::function<void(Stream, std::string_view)>;

struct Command {
    std::vector<std::string> argv;  // argv[0] is the program: a path, or a name found on PATH
    std::filesystem::path cwd;      // empty: the current directory
    // Variables set (or replaced) on top of the parent's environment.
    std::map<std::string, std::string> env;
    // Variables removed from the inherited environment (exact names, or a prefix ending in '*').
    std::vector<std::string> env_drop;
    std::chrono::milliseconds timeout{0};  // 0: none
    // Between SIGINT and SIGKILL, on cancel, timeout, or our own death. Terraform's own wrapper
    // waits 60 s; a loaded machine needs more than 10 s.
    std::chrono::milliseconds grace{std::chrono::seconds(60)};
    std::shared_ptr<CancelToken> cancel;  // may be null
    LineCallback on_line;                 // may be empty
    bool capture_stdout = true;           // keep stdout in Result::out
    // When set, the child writes its stdout straight to this file (large output): it is then
    // neither captured nor passed to on_line.
    std::filesystem::path stdout_file;
};

struct Result {
    int exit_code = -1;   // the child's exit status; 128+N when it died of signal N
    bool timed_out = false;
    bool cancelled = false;
    bool killed = false;  // the grace period ran out and SIGKILL had to be sent
    std::string out;      // stdout (unless capture_stdout is false or stdout_file is set)
    std::string err;      // stderr, kept on every path
    std::chrono::milliseconds duration{0};
};

// Runs the command to completion. Output is read every 20 ms and delivered line by line; a
// last line without its newline is delivered at the end. Throws tfstage::Error (not_found) when the program cannot be
// started; a non-zero exit is a Result, not an exception.
Result run(const Command& command);

// The pid of the orphan guard's watchdog; 0 when there is none (yet: it starts with the first
// child). For tests and diagnostics.
int orphan_guard_pid();

// Finds an executable on PATH; empty when there is none.
std::optional<std::filesystem::path> find_on_path(std::string_view name);

// A child that runs in the background until stop() or destruction (a server, say).
class Background {
public:
    explicit Background(const Command& command);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    int pid() const;
    bool running();
    // SIGINT to the group, then SIGKILL after the grace period; returns the exit code.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
    // Output so far (both streams), for error messages.
    std::string output() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tfstage::process
