// The orphan guard: when tfstage (or the program that loaded libtfstage) dies, even by
// SIGKILL, its children must not run on unattended. Terraform left behind holds the state
// lock and, killed later, loses the resource it was creating.
//
// On first use, a small watchdog process is forked (twice, so that it is nobody's child and
// nothing in the host reaps it by accident). It holds one end of a socket pair whose other end
// only the host holds. Every child registers its process group with it, from the child itself
// between fork and exec (so that no moment exists when a child runs unregistered), and the
// host unregisters the group once it has reaped the child. When the host's end is closed (the
// host died), the watchdog sends SIGINT to every registered group (once: Terraform treats a
// second interrupt as "exit now, data loss may occur"), SIGKILL to a group still alive after
// its grace period, and exits. A group the host had already interrupted (a cancel in
// progress) gets no second SIGINT, only the SIGKILL at the end of its grace.
//
// Internal to lib/process.
#pragma once

#include <chrono>
#include <cstdint>

namespace tfstage::process::detail {

// One message to the watchdog: fixed size, each a single datagram (SOCK_SEQPACKET).
struct GuardRecord {
    std::int32_t op = 0;  // a GuardOp
    std::int32_t pgid = 0;
    std::int64_t grace_ms = 0;
};

enum GuardOp : std::int32_t { op_register = 1, op_unregister = 2, op_interrupted = 3 };

// The socket children register through, starting the watchdog on first use; -1 when there is
// no watchdog (it could not be started, or it died: the failure is logged once).
int guard_socket();

// Async-signal-safe: for the child between fork and exec. Returns false when the record could
// not be sent (the caller then falls back to a parent-death signal).
bool guard_send_from_child(int socket, std::int32_t pgid, std::int64_t grace_ms) noexcept;

// From the host: the group was interrupted (SIGINT sent) at this moment; the watchdog then
// only enforces the grace period should the host die.
void guard_interrupted(int pgid, std::chrono::milliseconds grace);
// From the host, after reaping the group's leader.
void guard_unregister(int pgid);

// The watchdog's pid (0 when there is none). For tests.
int guard_pid();

}  // namespace tfstage::process::detail
