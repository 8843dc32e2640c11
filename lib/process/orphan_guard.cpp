#include "process/orphan_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "support/log.hpp"

namespace tfstage::process::detail {
namespace {

// ---- the watchdog: runs in a forked copy of a possibly multithreaded process, so only
// async-signal-safe calls from here to watchdog_main's end (no allocation, no locks, no C++
// library calls, no logging).

struct Watched {
    std::int32_t pgid;
    std::int32_t count;       // registrations not yet undone (a pid may be reused at once)
    std::int64_t grace_ms;
    std::int64_t deadline_ms;  // 0 until the group has been sent SIGINT
};

constexpr int kMaxWatched = 4096;
Watched watched[kMaxWatched];  // static storage: the watchdog's own copy after fork
int watched_count = 0;

std::int64_t monotonic_ms() noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

void sleep_ms(long ms) noexcept {
    timespec pause{ms / 1000, (ms % 1000) * 1000000};
    while (::nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
}

int find_watched(std::int32_t pgid) noexcept {
    for (int i = 0; i < watched_count; ++i)
        if (watched[i].pgid == pgid) return i;
    return -1;
}

void remove_watched(int i) noexcept { watched[i] = watched[--watched_count]; }

void apply_record(const GuardRecord& record) noexcept {
    if (record.pgid <= 1) return;  // never signal group 0 (ours) or -1 (everyone)
    const int i = find_watched(record.pgid);
    const std::int64_t grace = record.grace_ms < 0 ? 0 : record.grace_ms;
    switch (record.op) {
        case op_register:
        case op_interrupted:
            if (i >= 0) {
                if (record.op == op_register) ++watched[i].count;
                watched[i].grace_ms = grace;
            } else if (watched_count < kMaxWatched) {
                watched[watched_count++] = {record.pgid, 1, grace, 0};
            }
            if (record.op == op_interrupted) {
                const int j = find_watched(record.pgid);
                if (j >= 0) watched[j].deadline_ms = monotonic_ms() + grace;
            }
            break;
        case op_unregister:
            if (i >= 0 && --watched[i].count <= 0) remove_watched(i);
            break;
        default: break;
    }
}

void close_other_fds(int keep, long max_fd) noexcept {
#ifdef SYS_close_range
    const bool low = keep == 0 || ::syscall(SYS_close_range, 0U, static_cast<unsigned>(keep - 1), 0U) == 0;
    if (low && ::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0U, 0U) == 0) return;
#endif
    for (long fd = 0; fd < max_fd; ++fd)
        if (fd != keep) ::close(static_cast<int>(fd));
}

[[noreturn]] void watchdog_main(int socket, long max_fd) noexcept {
    // Not for us: a terminal's Ctrl-C and hang-up, job control, a closed socket.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    const int ignored[] = {SIGINT, SIGQUIT, SIGHUP, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU};
    for (int sig : ignored) ::sigaction(sig, &ignore, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::setsid();  // no controlling terminal, no process group of the host's
    if (::chdir("/") != 0) {
        // Only so as not to keep the host's working directory busy; harmless when it fails.
    }
    // Holding the host's descriptors would keep its pipes open (a test runner waiting for
    // the end of our output, say) and its files busy.
    close_other_fds(socket, max_fd);

    GuardRecord hello;
    hello.pgid = static_cast<std::int32_t>(::getpid());
    if (::send(socket, &hello, sizeof hello, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof hello)) ::_exit(1);

    while (true) {
        GuardRecord record;
        const ssize_t n = ::read(socket, &record, sizeof record);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the host is gone (or the socket failed: the same for us)
        if (n == static_cast<ssize_t>(sizeof record)) apply_record(record);
    }

    // The host died: interrupt each group once, then kill what outlives its grace.
    std::int64_t now = monotonic_ms();
    for (int i = 0; i < watched_count; ++i) {
        if (watched[i].deadline_ms != 0) continue;  // the host had already interrupted it
        ::kill(-watched[i].pgid, SIGINT);
        watched[i].deadline_ms = now + watched[i].grace_ms;
    }
    while (watched_count > 0) {
        sleep_ms(50);
        now = monotonic_ms();
        for (int i = watched_count - 1; i >= 0; --i) {
            if (::kill(-watched[i].pgid, 0) != 0 && errno == ESRCH) {
                remove_watched(i);
            } else if (now >= watched[i].deadline_ms) {
                ::kill(-watched[i].pgid, SIGKILL);
                remove_watched(i);
            }
        }
    }
    ::_exit(0);
}

// ---- the host's side

std::mutex guard_mutex;
int host_socket = -1;  // our end; O_CLOEXEC, so only we (and children until exec) hold it
int watchdog_pid = 0;
pid_t owner = 0;       // the process that started the watchdog (a fork() of ours is not it)
bool tried = false;

void start_locked() {
    tried = true;
    owner = ::getpid();
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
        log().warn("orphan guard not started (socketpair: {}): children would outlive a killed tfstage",
                   std::strerror(errno));
        return;
    }
    const long max_fd = ::sysconf(_SC_OPEN_MAX) > 0 ? ::sysconf(_SC_OPEN_MAX) : 1024;
    const pid_t first = ::fork();
    if (first < 0) {
        log().warn("orphan guard not started (fork: {}): children would outlive a killed tfstage", std::strerror(errno));
        ::close(fds[0]);
        ::close(fds[1]);
        return;
    }
    if (first == 0) {
        // Forked twice so that the watchdog is not our child: nothing of the host's waits for
        // it, and it never becomes a zombie of ours.
        // _Fork: no atfork handlers in this copy of a multithreaded process.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
        const pid_t second = ::_Fork();
#else
        const pid_t second = ::fork();
#endif
        if (second != 0) ::_exit(second < 0 ? 1 : 0);
        watchdog_main(fds[1], max_fd);
    }
    ::close(fds[1]);
    // The intermediate exits at once; with SIGCHLD ignored, or a host that reaps every child
    // itself, it may be gone already (ECHILD).
    while (::waitpid(first, nullptr, 0) < 0 && errno == EINTR) {
    }
    GuardRecord hello;
    ssize_t n = 0;
    do {
        n = ::recv(fds[0], &hello, sizeof hello, 0);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof hello) || hello.pgid <= 0) {
        log().warn("orphan guard not started (the watchdog did not answer): children would outlive a killed tfstage");
        ::close(fds[0]);
        return;
    }
    host_socket = fds[0];
    watchdog_pid = hello.pgid;
    log().debug("orphan guard: watchdog pid {}", watchdog_pid);
}

void ensure_started_locked() {
    if (tried && owner != ::getpid()) {
        // We are a fork() of the process that started it (Python's multiprocessing, say): its
        // watchdog watches its host, not us.
        if (host_socket >= 0) ::close(host_socket);
        host_socket = -1;
        watchdog_pid = 0;
        tried = false;
    }
    if (!tried) start_locked();
}

void send_locked(const GuardRecord& record) {
    if (host_socket < 0 || owner != ::getpid()) return;
    ssize_t n = 0;
    do {
        n = ::send(host_socket, &record, sizeof record, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof record)) {
        log().warn("orphan guard lost (the watchdog, pid {}, is gone: {}): children would outlive a killed tfstage",
                   watchdog_pid, std::strerror(errno));
        ::close(host_socket);
        host_socket = -1;
        watchdog_pid = 0;
    }
}

}  // namespace

int guard_socket() {
    std::lock_guard lock(guard_mutex);
    ensure_started_locked();
    return host_socket;
}

bool guard_send_from_child(int socket, std::int32_t pgid, std::int64_t grace_ms) noexcept {
    if (socket < 0) return false;
    GuardRecord record;
    record.op = op_register;
    record.pgid = pgid;
    record.grace_ms = grace_ms;
    ssize_t n = 0;
    do {
        n = ::send(socket, &record, sizeof record, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof record);
}

void guard_interrupted(int pgid, std::chrono::milliseconds grace) {
    std::lock_guard lock(guard_mutex);
    send_locked({op_interrupted, static_cast<std::int32_t>(pgid), static_cast<std::int64_t>(grace.count())});
}

void guard_unregister(int pgid) {
    std::lock_guard lock(guard_mutex);
    send_locked({op_unregister, static_cast<std::int32_t>(pgid), 0});
}

int guard_pid() {
    std::lock_guard lock(guard_mutex);
    return owner == ::getpid() ? watchdog_pid : 0;
}

}  // namespace tfstage::process::detail
