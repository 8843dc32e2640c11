#include <fstream>
#include <unistd.h>
// The process runner, on real children (/bin/sh and coreutils).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "process/process.hpp"
#include "support/error.hpp"

using namespace tfstage;
using namespace tfstage::process;
using namespace std::chrono_literals;

TEST_CASE("argv reaches the child as is: no shell expands anything") {
    Command c;
    c.argv = {"echo", "$HOME", "a b", "*"};
    const auto r = run(c);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "$HOME a b *\n");
}

TEST_CASE("exit status, stderr and working directory") {
    Command c;
    c.argv = {"sh", "-c", "pwd; echo oops >&2; exit 7"};
    c.cwd = "/tmp";
    const auto r = run(c);
    CHECK(r.exit_code == 7);
    CHECK(r.out == "/tmp\n");
    CHECK(r.err == "oops\n");
}

TEST_CASE("environment: variables set per call, TF_CLI_ARGS* and TF_WORKSPACE dropped on request") {
    ::setenv("TF_CLI_ARGS_plan", "-refresh=false", 1);
    ::setenv("TF_WORKSPACE", "prod", 1);
    Command c;
    c.argv = {"sh", "-c", "echo \"[$TF_CLI_ARGS_plan][$TF_WORKSPACE][$MINE]\""};
    c.env["MINE"] = "set";
    c.env_drop = {"TF_CLI_ARGS*", "TF_WORKSPACE"};
    CHECK(run(c).out == "[][][set]\n");
    c.env_drop.clear();
    CHECK(run(c).out == "[-refresh=false][prod][set]\n");
    ::unsetenv("TF_CLI_ARGS_plan");
    ::unsetenv("TF_WORKSPACE");
}

TEST_CASE("lines are streamed to the callback as they come, with no length limit") {
    Command c;
    c.argv = {"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo second; echo err >&2"};
    std::vector<std::string> out_lines;
    std::vector<std::string> err_lines;
    c.on_line = [&](Stream s, std::string_view line) {
        (s == Stream::out ? out_lines : err_lines).emplace_back(line);
    };
    const auto r = run(c);
    REQUIRE(out_lines.size() == 2);
    CHECK(out_lines[0].size() == 3000000);
    CHECK(out_lines[1] == "second");
    REQUIRE(err_lines.size() == 1);
    CHECK(err_lines[0] == "err");
}

TEST_CASE("a timeout interrupts the child and says so") {
    Command c;
    c.argv = {"sleep", "30"};
    c.timeout = 300ms;
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(c);
    CHECK(r.timed_out);
    CHECK_FALSE(r.cancelled);
    CHECK(r.exit_code == 128 + 2);  // SIGINT
    CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("cancellation: SIGINT to the whole group first, the child may clean up, stderr is kept") {
    Command c;
    // The child traps INT, reports on stderr and exits by itself; its own child (sleep) is in
    // the same group and gets the signal too.
    c.argv = {"sh", "-c", "trap 'echo cleaning up >&2; exit 3' INT; echo started; sleep 30 & wait"};
    c.cancel = std::make_shared<CancelToken>();
    c.grace = 5s;
    c.on_line = [&](Stream s, std::string_view line) {
        if (s == Stream::out && line == "started") c.cancel->cancel();
    };
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(c);
    CHECK(r.cancelled);
    CHECK_FALSE(r.killed);
    CHECK(r.exit_code == 3);
    CHECK(r.err == "cleaning up\n");
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("cancellation: a child that ignores SIGINT is killed after the grace period") {
    Command c;
    c.argv = {"sh", "-c", "trap '' INT; echo started; echo still here >&2; sleep 30"};
    c.cancel = std::make_shared<CancelToken>();
    c.grace = 500ms;
    c.on_line = [&](Stream s, std::string_view line) {
        if (s == Stream::out && line == "started") c.cancel->cancel();
    };
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(c);
    CHECK(r.cancelled);
    CHECK(r.killed);
    CHECK(r.exit_code == 128 + 9);
    CHECK(r.err == "still here\n");
    CHECK(std::chrono::steady_clock::now() - started < 10s);
}

TEST_CASE("stdout can go to a file instead of memory") {
    const std::string path = "/tmp/tfstage-process-test-" + std::to_string(::getpid());
    Command c;
    c.argv = {"sh", "-c", "echo one; echo two"};
    c.stdout_file = path;
    const auto r = run(c);
    CHECK(r.out.empty());
    std::ifstream in(path);
    std::string a, b;
    std::getline(in, a);
    std::getline(in, b);
    CHECK(a == "one");
    CHECK(b == "two");
    std::filesystem::remove(path);
}

TEST_CASE("a program that does not exist is a clear not_found error") {
    Command c;
    c.argv = {"no-such-program-tfstage"};
    try {
        run(c);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::not_found);
        CHECK(std::string(e.what()).find("no-such-program-tfstage") != std::string::npos);
    }
    c.argv = {"/nonexistent/bin/x"};
    CHECK_THROWS_AS(run(c), Error);
    c.argv.clear();
    CHECK_THROWS_AS(run(c), Error);
}

TEST_CASE("a background child runs until stopped") {
    Command c;
    c.argv = {"sh", "-c", "echo ready; sleep 30"};
    Background child(c);
    CHECK(child.pid() > 0);
    for (int i = 0; i < 100 && child.output().empty(); ++i) std::this_thread::sleep_for(20ms);
    CHECK(child.output() == "ready\n");
    CHECK(child.running());
    CHECK(child.stop(1s) == 128 + 2);
    CHECK_FALSE(child.running());
}
