// A program that runs one command through process::run, for the orphan guard's tests, which
// kill it (SIGKILL) while its child runs.
//
//   tfstage_orphan_helper GRACE_MS CANCEL_AFTER_MS PROGRAM [ARGS...]
//
// Prints "guard PID" (the watchdog, started by a first child) before it runs the command, the
// command's output as it comes, and "exit CODE" at the end. CANCEL_AFTER_MS > 0 cancels the
// command that long after it started (SIGINT now, SIGKILL after GRACE_MS).
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "process/process.hpp"

using namespace tfstage::process;

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: tfstage_orphan_helper GRACE_MS CANCEL_AFTER_MS PROGRAM [ARGS...]\n";
        return 2;
    }
    Command warm_up;
    warm_up.argv = {"true"};
    run(warm_up);
    std::cout << "guard " << orphan_guard_pid() << std::endl;

    Command command;
    command.grace = std::chrono::milliseconds(std::atol(argv[1]));
    const auto cancel_after = std::chrono::milliseconds(std::atol(argv[2]));
    command.argv.assign(argv + 3, argv + argc);
    command.on_line = [](Stream, std::string_view line) { std::cout << line << std::endl; };
    std::thread canceller;
    if (cancel_after.count() > 0) {
        command.cancel = std::make_shared<CancelToken>();
        canceller = std::thread([&] {
            std::this_thread::sleep_for(cancel_after);
            command.cancel->cancel();
        });
    }
    const auto result = run(command);
    if (canceller.joinable()) canceller.join();
    std::cout << "exit " << result.exit_code << std::endl;
    return 0;
}
