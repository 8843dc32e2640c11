#include "process/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

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

// The child becomes the leader of its own process group, so that a signal reaches Terraform
// and the provider plugins it started, and never our own process.
struct NewProcessGroup : bp::extend::handler {
    template <class Executor>
    void on_exec_setup(Executor&) const {
        ::setpgid(0, 0);
    }
};

void signal_group(int pid, int sig) {
    if (pid > 0) ::kill(-pid, sig);
}

}  // namespace

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
    std::mutex callback_mutex;
    bp::ipstream out_stream;
    bp::ipstream err_stream;
    const auto started = std::chrono::steady_clock::now();

    bp::child child;
    try {
        const fs::path cwd = command.cwd.empty() ? fs::current_path() : command.cwd;
        child = bp::child(program.string(), bp::args(args), bp::start_dir(cwd.string()),
                          make_environment(command), bp::std_in<bp::null, bp::std_out> out_stream,
                          bp::std_err > err_stream, NewProcessGroup{});
    } catch (const bp::process_error& e) {
        throw Error(ErrorCode::not_found, "cannot start '" + program.string() + "': " + e.what());
    }

    std::ofstream stdout_file;
    if (!command.stdout_file.empty()) {
        stdout_file.open(command.stdout_file, std::ios::binary | std::ios::trunc);
        if (!stdout_file) {
            signal_group(child.id(), SIGKILL);
            child.wait();
            throw Error(ErrorCode::io, "cannot write " + command.stdout_file.string());
        }
    }

    auto reader = [&](bp::ipstream& stream, Stream which) {
        std::string line;
        while (std::getline(stream, line)) {
            std::lock_guard lock(callback_mutex);
            if (which == Stream::err) {
                result.err += line;
                result.err += '\n';
            } else if (stdout_file.is_open()) {
                stdout_file << line << '\n';
            } else if (command.capture_stdout) {
                result.out += line;
                result.out += '\n';
            }
            if (command.on_line) command.on_line(which, line);
        }
    };
    std::thread out_reader(reader, std::ref(out_stream), Stream::out);
    std::thread err_reader(reader, std::ref(err_stream), Stream::err);

    // Wait, watching the clock and the cancel token. The first interrupt is SIGINT, so that
    // Terraform stops cleanly and releases its state lock; SIGKILL only after the grace period.
    std::optional<std::chrono::steady_clock::time_point> interrupted_at;
    std::error_code ec;
    while (child.running(ec)) {
        const auto now = std::chrono::steady_clock::now();
        if (!interrupted_at) {
            const bool cancel = command.cancel && command.cancel->cancelled();
            const bool timeout = command.timeout.count() > 0 && now - started >= command.timeout;
            if (cancel || timeout) {
                result.cancelled = cancel;
                result.timed_out = !cancel;
                signal_group(child.id(), SIGINT);
                interrupted_at = now;
            }
        } else if (!result.killed && now - *interrupted_at >= command.grace) {
            signal_group(child.id(), SIGKILL);
            result.killed = true;
        }
        std::this_thread::sleep_for(20ms);
    }
    child.wait(ec);
    // Any grandchild still holding our pipes would keep the readers waiting: end the group.
    if (interrupted_at) signal_group(child.id(), SIGKILL);
    out_reader.join();
    err_reader.join();

    result.exit_code = decode_status(child.native_exit_code());
    result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (stdout_file.is_open()) {
        stdout_file.flush();
        if (!stdout_file) throw Error(ErrorCode::io, "writing " + command.stdout_file.string() + " failed");
    }
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
    try {
        const fs::path cwd = command.cwd.empty() ? fs::current_path() : command.cwd;
        impl_->child = bp::child(program.string(), bp::args(args), bp::start_dir(cwd.string()),
                                 make_environment(command), bp::std_in<bp::null, bp::std_out> impl_->out_stream,
                                 bp::std_err > impl_->err_stream, NewProcessGroup{});
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
