// The environment's git guards on a given provenance: what refuses, what the message names,
// and what an override turns into a warning.
#include <doctest/doctest.h>

#include "rollout/guards.hpp"

using namespace tfstage;
using rollout::evaluate_guards;
using rollout::GitGuards;

namespace {

git::Provenance clean_main() {
    git::Provenance p;
    p.repository = "/repo";
    p.commit = "0123456789abcdef0123456789abcdef01234567";
    p.branch = "main";
    p.upstream = "origin/main";
    return p;
}

}  // namespace

TEST_CASE("guards: a clean up-to-date main passes every guard") {
    const auto result = evaluate_guards({true, "main", true}, clean_main(), {});
    CHECK(result.refusals.empty());
    CHECK(result.warnings.empty());
    // No guards: nothing to say, even outside a repository.
    CHECK(evaluate_guards({}, std::nullopt, {}).refusals.empty());
}

TEST_CASE("guards: each refusal names the files or commits and the flag that overrides it") {
    auto p = clean_main();
    p.dirty = true;
    p.modified = {"infra/main.tf"};
    p.untracked = {"infra/new.tf"};
    p.branch = "feature";
    p.behind = 2;
    p.behind_commits = {"aaaaaaa two", "bbbbbbb one"};
    const auto result = evaluate_guards({true, "main", true}, p, {});
    REQUIRE(result.refusals.size() == 3);
    CHECK(result.refusals[0] ==
          "require_clean: the working tree of /repo has changes: modified: infra/main.tf; untracked: infra/new.tf (--allow-dirty overrides)");
    CHECK(result.refusals[1] ==
          "require_branch: the environment deploys from branch main, and HEAD is branch feature (--allow-branch overrides)");
    CHECK(result.refusals[2].find("2 commit(s) behind origin/main (as last fetched): aaaaaaa two, bbbbbbb one") !=
          std::string::npos);
    CHECK(result.warnings.empty());
}

TEST_CASE("guards: overrides turn refusals into warnings") {
    auto p = clean_main();
    p.dirty = true;
    p.modified = {"infra/main.tf"};
    p.detached = true;
    p.branch.clear();
    p.upstream.clear();
    const auto result = evaluate_guards({true, "main", true}, p, {true, true, true});
    CHECK(result.refusals.empty());
    REQUIRE(result.warnings.size() == 3);
    CHECK(result.warnings[0]["guard"] == "require_clean");
    CHECK(result.warnings[0]["override"] == "--allow-dirty");
    CHECK(result.warnings[1]["override"] == "--allow-branch");
    CHECK(result.warnings[1]["message"].get<std::string>().find("a detached HEAD at 0123456789ab") != std::string::npos);
    CHECK(result.warnings[2]["message"].get<std::string>().find("has no upstream") != std::string::npos);
}

TEST_CASE("guards: outside a repository a guard refuses") {
    const auto result = evaluate_guards({false, "main", false}, std::nullopt, {});
    REQUIRE(result.refusals.size() == 1);
    CHECK(result.refusals[0].find("not in a git repository") != std::string::npos);
}
