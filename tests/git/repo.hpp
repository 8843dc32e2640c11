// A real git repository made by a test, driven through the real git command (so that what
// tfstage reads through libgit2 is checked against git itself).
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process/process.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

namespace tfstage::test {

struct GitRepo {
    std::filesystem::path dir;

    explicit GitRepo(std::filesystem::path where) : dir(std::move(where)) {
        std::filesystem::create_directories(dir);
        git({"init", "-q", "-b", "main"});
    }

    // Runs git in the repository (or in `cwd`), REQUIREs success and returns its stdout.
    std::string git(const std::vector<std::string>& args, const std::filesystem::path& cwd = {}) const {
        process::Command command;
        command.argv = {"git"};
        command.argv.insert(command.argv.end(), args.begin(), args.end());
        command.cwd = cwd.empty() ? dir : cwd;
        command.env = {{"GIT_AUTHOR_NAME", "Test"},          {"GIT_AUTHOR_EMAIL", "test@example.com"},
                       {"GIT_COMMITTER_NAME", "Test"},       {"GIT_COMMITTER_EMAIL", "test@example.com"},
                       {"GIT_CONFIG_NOSYSTEM", "1"},         {"HOME", dir.string()}};
        command.env_drop = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"};
        const auto result = process::run(command);
        REQUIRE_MESSAGE(result.exit_code == 0, "git " << args.front() << ": " << result.err);
        return result.out;
    }

    std::string head() const {
        std::string out = git({"rev-parse", "HEAD"});
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        return out;
    }

    void write(const std::string& path, const std::string& text) const { write_file(dir / path, text); }

    // Adds everything and commits; returns the new HEAD.
    std::string commit(const std::string& message) const {
        git({"add", "-A"});
        git({"commit", "-q", "-m", message});
        return head();
    }
};

}  // namespace tfstage::test
