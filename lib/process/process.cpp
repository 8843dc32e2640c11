#include "process/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "process/orphan_guard.hpp"
#include "support/error.hpp"

namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace tfstage::process {
namespace {

bool dropped(const std::string& name, const std::vector<std::string>& drop) {
    for (const auto& pattern : drop) {
        if (!pattern.empty() && pattern.back() == '*') {
            if (name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0) return true;
        } else if (name == pattern) {
            return true;
        }
    }
    return false;
}

// Boost 1.74's environment::find (behind operator[]) compares `NAME=` past the end of shorter
// entries, a heap over-read that AddressSanitizer reports; set() compares safely.
bp::environment make_environment(const Command& command) {
    std::map<std::string, std::string> merged;
    for (const auto& entry : boost::this_process::environment()) {
        std::string name = entry.get_name();
        if (!dropped(name, command.env_drop)) merged[name] = entry.to_string();
    }
    for (const auto& [name, value] : command.env) merged[name] = value;
    bp::environment env;
    for (const auto& [name, value] : merged) env.set(name, value);
    return env;
}

fs::path resolve_program(const std::string& program) {
    if (program.find('/') != std::string::npos) {
        if (::access(program.c_str(), X_OK) != 0)
            throw Error(ErrorCode::not_found, "cannot run '" + program + "': no executable file there");
        return program;
    }
    if (auto found = find_on_path(program)) return *found;
    throw Error(ErrorCode::not_found, "cannot run '" + program + "': not found on PATH");
}

int decode_status(int native) {
    if (WIFEXITED(native)) return WEXITSTATUS(native);
    if (WIFSIGNALED(native)) return 128 + WTERMSIG(native);
    return -1;
}

// Everything the child does between fork and exec (async-signal-safe calls only):
//  - it becomes the leader of its own process group, so that a signal reaches Terraform and the
//    provider plugins it started, and never our own process; SIGINT is not ignored or blocked;
//  - its stdout and stderr become the files we read (see Capture);
//  - it registers its group with the orphan guard itself, so that there is no moment in which
//    it runs unwatched; without a guard, a parent-death signal (SIGINT) is the fallback.
//    Never both: Terraform takes a second SIGINT as "exit now, data loss may occur".
struct ChildSetup : bp::extend::handler {
    int out_fd = -1;  // -1: leave the stream as it is
    int err_fd = -1;
    int guard = -1;
    std::int64_t grace_ms = 0;
    pid_t parent = 0;
    bool death_signal = false;  // only where the spawning thread outlives the child (see prctl(2))

    template <class Executor>
    void on_exec_setup(Executor&) const {
        ::setpgid(0, 0);
        // SIGINT must reach the child: a signal ignored here (tfstage started with `&` from a
        // script, or by nohup; SIGPIPE in Python) would stay ignored across exec, and a shell
        // cannot even trap a signal ignored on entry. Nothing blocked either.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        sigemptyset(&default_action.sa_mask);
        const int restored[] = {SIGINT, SIGQUIT, SIGPIPE, SIGXFSZ};
        for (int sig : restored) ::sigaction(sig, &default_action, nullptr);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (out_fd >= 0) ::dup2(out_fd, STDOUT_FILENO);
        if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
        if (detail::guard_send_from_child(guard, static_cast<std::int32_t>(::getpid()), grace_ms)) return;
        if (death_signal) {
            ::prctl(PR_SET_PDEATHSIG, SIGINT);
            if (::getppid() != parent) ::_exit(128 + SIGINT);  // the parent died before prctl took effect
        }
    }
};

void signal_group(int pid, int sig) {
    if (pid > 0) ::kill(-pid, sig);
}

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Descriptors we give a child as 1 and 2 must not be 0, 1 or 2 themselves (when our own
// standard streams are closed), or the dup2 calls in the child would overwrite one another.
int above_stdio(int fd) {
    if (fd < 0 || fd > STDERR_FILENO) return fd;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    ::close(fd);
    return moved;
}

std::string errno_text() { return std::strerror(errno); }

// One output stream of a child. Not a pipe: when tfstage dies, a child writing to a pipe only
// we read gets SIGPIPE, and Terraform then dies without saving the state of what it was
// creating. An unlinked temporary file, opened twice (the child's end, ours), takes any amount
// of output whether or not we are alive, and leaves nothing on disk (output may hold values).
struct Capture {
    int child_fd = -1;  // O_CLOEXEC here; the child gets it as 1 or 2 by dup2
    int read_fd = -1;
    std::string pending;         // read, not yet delivered (a line without its newline yet)
    std::size_t scanned = 0;     // bytes of pending known to hold no newline

    Capture() = default;
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    ~Capture() {
        close_fd(child_fd);
        close_fd(read_fd);
    }

    // Reads what is new and delivers each complete line; at the end, the rest as a line too.
    template <class Deliver>
    void pump(bool at_end, Deliver&& deliver) {
        if (read_fd < 0) return;
        char buffer[64 * 1024];
        while (true) {
            const ssize_t n = ::read(read_fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            pending.append(buffer, static_cast<std::size_t>(n));
        }
        std::size_t start = 0;
        for (auto newline = pending.find('\n', scanned); newline != std::string::npos;
             newline = pending.find('\n', start)) {
            deliver(std::string_view(pending).substr(start, newline - start));
            start = newline + 1;
        }
        pending.erase(0, start);
        scanned = pending.size();
        if (at_end && !pending.empty()) {
            deliver(std::string_view(pending));
            pending.clear();
            scanned = 0;
        }
    }
};

// The child's ends and ours of `count` captures, made in a private directory under $TMPDIR
// (or /tmp) that is gone again, with the files, before the child starts.
void open_captures(Capture* captures, int count) {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/tfstage-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr)
        throw Error(ErrorCode::io, "cannot make a temporary directory in " + dir.substr(0, dir.rfind('/')) +
                                       " for a child's output: " + errno_text());
    std::string failure;
    for (int i = 0; i < count && failure.empty(); ++i) {
        std::string file = dir + "/output-XXXXXX";
        const int fd = ::mkostemp(file.data(), O_CLOEXEC);
        if (fd < 0) {
            failure = "cannot make " + file + ": " + errno_text();
            break;
        }
        captures[i].child_fd = above_stdio(fd);
        captures[i].read_fd = above_stdio(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
        if (captures[i].child_fd < 0 || captures[i].read_fd < 0) failure = "cannot open " + file + ": " + errno_text();
        ::unlink(file.c_str());
    }
    ::rmdir(dir.c_str());
    if (!failure.empty()) throw Error(ErrorCode::io, failure + " (for a child's output)");
}

}  // namespace

int orphan_guard_pid() { return detail::guard_pid(); }

std::optional<fs::path> find_on_path(std::string_view name) {
    const char* path = std::getenv("PATH");
    if (path == nullptr || name.empty()) return std::nullopt;
    std::string_view rest(path);
    while (true) {
        const auto colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        fs::path candidate = fs::path(dir.empty() ? "." : std::string(dir)) / std::string(name);
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return std::nullopt;
}

Result run(const Command& command) {
    if (command.argv.empty()) throw Error(ErrorCode::invalid_argument, "no program given to run");
    const fs::path program = resolve_program(command.argv.front());
    const std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());

    Result result;
    Capture captures[2];
    Capture& out = captures[0];
    Capture& err = captures[1];
    const bool to_file = !command.stdout_file.empty();
    open_captures(to_file ? &err : captures, to_file ? 1 : 2);
    int file_fd = -1;
    if (to_file) {
        file_fd = above_stdio(::open(command.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
        if (file_fd < 0) throw Error(ErrorCode::io, "cannot write " + command.stdout_file.string() + ": " + errno_text());
    }

    ChildSetup setup;
    setup.out_fd = to_file ? file_fd : out.child_fd;
    setup.err_fd = err.child_fd;
    setup.guard = detail::guard_socket();
    setup.grace_ms = command.grace.count();
    setup.parent = ::getpid();
    setup.death_signal = true;  // this thread waits for the child below

    const auto started = std::chrono::steady_clock::now();
    bp::child child;
    try {
        const fs::path cwd = command.cwd.empty() ? fs::current_path() : command.cwd;
        child = bp::child(program.string(), bp::args(args), bp::start_dir(cwd.string()), make_environment(command),
                          bp::std_in < bp::null, setup);
    } catch (const bp::process_error& e) {
        close_fd(file_fd);
        throw Error(ErrorCode::not_found, "cannot start '" + program.string() + "': " + e.what());
    }
    // The child has its own copies; ours would only keep the files open.
    close_fd(file_fd);
    close_fd(out.child_fd);
    close_fd(err.child_fd);

    auto deliver = [&](Stream which) {
        return [&, which](std::string_view line) {
            if (which == Stream::err) {
                result.err += line;
                result.err += '\n';
            } else if (command.capture_stdout) {
                result.out += line;
                result.out += '\n';
            }
            if (command.on_line) command.on_line(which, line);
        };
    };
    auto pump = [&](bool at_end) {
        out.pump(at_end, deliver(Stream::out));
        err.pump(at_end, deliver(Stream::err));
    };

    // Wait, watching the clock and the cancel token. The first interrupt is SIGINT, so that
    // Terraform stops cleanly and releases its state lock; SIGKILL only after the grace period.
    std::optional<std::chrono::steady_clock::time_point> interrupted_at;
    std::error_code ec;
    while (child.running(ec)) {
        pump(false);
        const auto now = std::chrono::steady_clock::now();
        if (!interrupted_at) {
            const bool cancel = command.cancel && command.cancel->cancelled();
            const bool timeout = command.timeout.count() > 0 && now - started >= command.timeout;
            if (cancel || timeout) {
                result.cancelled = cancel;
                result.timed_out = !cancel;
                signal_group(child.id(), SIGINT);
                // Should we die now, the watchdog must not interrupt it a second time.
                detail::guard_interrupted(child.id(), command.grace);
                interrupted_at = now;
            }
        }
        // With no grace at all, SIGKILL follows SIGINT at once.
        if (interrupted_at && !result.killed && now - *interrupted_at >= command.grace) {
            signal_group(child.id(), SIGKILL);
            result.killed = true;
        }
        std::this_thread::sleep_for(20ms);
    }
    child.wait(ec);
    // What an interrupted child left running in its group goes with it.
    if (interrupted_at) signal_group(child.id(), SIGKILL);
    detail::guard_unregister(child.id());
    pump(true);

    result.exit_code = decode_status(child.native_exit_code());
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return result;
}

struct Background::Impl {
    bp::child child;
    bp::ipstream out_stream;
    bp::ipstream err_stream;
    std::thread out_reader;
    std::thread err_reader;
    mutable std::mutex mutex;
    std::string output;
    bool stopped = false;
    int exit_code = -1;

    void read(bp::ipstream& stream) {
        std::string line;
        while (std::getline(stream, line)) {
            std::lock_guard lock(mutex);
            if (output.size() < 64 * 1024) output += line + '\n';
        }
    }
};

Background::Background(const Command& command) : impl_(std::make_unique<Impl>()) {
    if (command.argv.empty()) throw Error(ErrorCode::invalid_argument, "no program given to run");
    const fs::path program = resolve_program(command.argv.front());
    const std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());
    // Pipes are fine here (a server for tests, read until it stops), but the orphan guard
    // watches it too. No parent-death signal: the thread that made it may end before it.
    ChildSetup setup;
    setup.guard = detail::guard_socket();
    setup.grace_ms = command.grace.count();
    try {
        const fs::path cwd = command.cwd.empty() ? fs::current_path() : command.cwd;
        impl_->child = bp::child(program.string(), bp::args(args), bp::start_dir(cwd.string()),
                                 make_environment(command), bp::std_in<bp::null, bp::std_out> impl_->out_stream,
                                 bp::std_err > impl_->err_stream, setup);
    } catch (const bp::process_error& e) {
        throw Error(ErrorCode::not_found, "cannot start '" + program.string() + "': " + e.what());
    }
    impl_->out_reader = std::thread([this] { impl_->read(impl_->out_stream); });
    impl_->err_reader = std::thread([this] { impl_->read(impl_->err_stream); });
}

Background::~Background() {
    try {
        stop();
    } catch (...) {
        // A destructor must not throw; the group has been sent SIGKILL by then in any case.
    }
}

int Background::pid() const { return impl_->child.id(); }

bool Background::running() {
    std::error_code ec;
    return !impl_->stopped && impl_->child.running(ec);
}

int Background::stop(std::chrono::milliseconds grace) {
    if (impl_->stopped) return impl_->exit_code;
    impl_->stopped = true;
    std::error_code ec;
    if (impl_->child.running(ec)) {
        signal_group(impl_->child.id(), SIGINT);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (impl_->child.running(ec) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    }
    signal_group(impl_->child.id(), SIGKILL);
    impl_->child.wait(ec);
    detail::guard_unregister(impl_->child.id());
    impl_->exit_code = decode_status(impl_->child.native_exit_code());
    if (impl_->out_reader.joinable()) impl_->out_reader.join();
    if (impl_->err_reader.joinable()) impl_->err_reader.join();
    return impl_->exit_code;
}

std::string Background::output() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->output;
}

}  // namespace tfstage::process
