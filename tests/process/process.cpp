#include <fstream>
#include <unistd.h>
#include <sstream>
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

TEST_CASE("much output on both streams, interleaved, arrives complete and in order per stream") {
    // 2 x 20000 lines of 64 bytes: over 1 MB per stream.
    Command c;
    c.argv = {"sh", "-c",
              "i=0; while [ $i -lt 20000 ]; do echo \"out $i ......................................................\"; "
              "echo \"err $i ......................................................\" >&2; i=$((i+1)); done"};
    std::vector<std::string> out_lines;
    std::vector<std::string> err_lines;
    c.on_line = [&](Stream s, std::string_view line) { (s == Stream::out ? out_lines : err_lines).emplace_back(line); };
    const auto r = run(c);
    CHECK(r.exit_code == 0);
    REQUIRE(out_lines.size() == 20000);
    REQUIRE(err_lines.size() == 20000);
    bool in_order = true;
    for (int i = 0; i < 20000 && in_order; ++i) {
        const std::string tail = " ......................................................";
        in_order = out_lines[i] == "out " + std::to_string(i) + tail && err_lines[i] == "err " + std::to_string(i) + tail;
    }
    CHECK(in_order);
    CHECK(r.out.size() > 1000000);
    CHECK(r.err.size() > 1000000);
    CHECK(r.out.substr(0, 6) == "out 0 ");
}

TEST_CASE("a last line without its newline is delivered at the end") {
    Command c;
    c.argv = {"sh", "-c", "printf 'a\\nb'; printf 'c' >&2"};
    std::vector<std::string> lines;
    c.on_line = [&](Stream s, std::string_view line) { lines.push_back((s == Stream::out ? "o:" : "e:") + std::string(line)); };
    const auto r = run(c);
    CHECK(r.out == "a\nb\n");
    CHECK(r.err == "c\n");
    CHECK(lines == std::vector<std::string>{"o:a", "o:b", "e:c"});
}

TEST_CASE("a child's output leaves nothing in TMPDIR, and stdout_file gets stdout unread") {
    const std::filesystem::path tmp = "/tmp/tfstage-process-tmpdir-" + std::to_string(::getpid());
    std::filesystem::create_directories(tmp);
    const char* before = std::getenv("TMPDIR");
    const std::string saved = before != nullptr ? before : "";
    ::setenv("TMPDIR", tmp.c_str(), 1);
    Command c;
    c.argv = {"sh", "-c", "ls -A \"$TMPDIR\" | wc -l; echo e >&2"};
    const auto r = run(c);
    CHECK(r.out == "0\n");  // while it runs: the files are unlinked, their directory removed
    CHECK(std::filesystem::is_empty(tmp));

    const auto file = tmp / "out.json";
    std::vector<std::string> seen;
    c.argv = {"sh", "-c", "echo one; echo two; echo e >&2"};
    c.stdout_file = file;
    c.on_line = [&](Stream s, std::string_view line) { seen.push_back((s == Stream::out ? "o:" : "e:") + std::string(line)); };
    const auto to_file = run(c);
    CHECK(to_file.out.empty());
    CHECK(to_file.err == "e\n");
    CHECK(seen == std::vector<std::string>{"e:e"});
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "one\ntwo\n");
    std::filesystem::remove(file);
    CHECK(std::filesystem::is_empty(tmp));

    if (saved.empty()) ::unsetenv("TMPDIR");
    else ::setenv("TMPDIR", saved.c_str(), 1);
    std::filesystem::remove_all(tmp);
}

TEST_CASE("a grandchild that keeps our output open does not hold run() up") {
    Command c;
    c.argv = {"sh", "-c", "echo before; (sleep 5; echo late) & echo after"};
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(c);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "before\nafter\n");
    CHECK(std::chrono::steady_clock::now() - started < 3s);
}

TEST_CASE("the default grace period is 60 s") {
    CHECK(Command{}.grace == std::chrono::seconds(60));
}
