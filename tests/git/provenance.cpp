// The git layer against real repositories made with the git command: provenance (HEAD,
// branch, dirty files, upstream), changed paths with renames, a commit's files written out,
// and module source directories.
#include <doctest/doctest.h>

#include <algorithm>

#include "git/git.hpp"
#include "git/repo.hpp"
#include "rollout/changes.hpp"

using namespace tfstage;
namespace fs = std::filesystem;

namespace {

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

TEST_CASE("git: provenance records HEAD as git rev-parse HEAD and the branch") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("infra/main.tf", "resource \"terraform_data\" \"a\" {}\n");
    const std::string head = repo.commit("first");

    const auto p = git::provenance_of(repo.dir / "infra");
    REQUIRE(p.has_value());
    CHECK(p->commit == head);
    CHECK(p->branch == "main");
    CHECK_FALSE(p->detached);
    CHECK_FALSE(p->dirty);
    CHECK(p->upstream.empty());
    const auto record = git::to_json(*p);
    CHECK(record["commit"] == head);
    CHECK(record["upstream"].is_null());

    repo.git({"checkout", "-q", "--detach", "HEAD"});
    const auto detached = git::provenance_of(repo.dir / "infra");
    REQUIRE(detached.has_value());
    CHECK(detached->detached);
    CHECK(detached->branch.empty());
    CHECK(detached->commit == head);
}

TEST_CASE("git: provenance lists modified and untracked files under the directory only") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("infra/main.tf", "# one\n");
    repo.write("other/readme.md", "x\n");
    repo.commit("first");
    repo.write("infra/main.tf", "# two\n");                 // modified
    repo.write("infra/modules/kafka/new.tf", "# new\n");    // untracked, in a new directory
    repo.write("other/readme.md", "y\n");                   // modified, outside the root
    repo.write("infra/.terraform/modules/modules.json", "{}");  // Terraform's working data
    repo.write("infra/terraform.tfstate", "{}");

    const auto p = git::provenance_of(repo.dir / "infra");
    REQUIRE(p.has_value());
    CHECK(p->dirty);
    CHECK(p->modified == std::vector<std::string>{"infra/main.tf"});
    CHECK(p->untracked == std::vector<std::string>{"infra/modules/kafka/new.tf"});

    // An extra file outside the directory (a var file) is listed too.
    const auto with_extra = git::provenance_of(repo.dir / "infra", {repo.dir / "other/readme.md"});
    REQUIRE(with_extra.has_value());
    CHECK(contains(with_extra->modified, "other/readme.md"));

    // Staged changes count as modified.
    repo.git({"add", "infra/main.tf"});
    const auto staged = git::provenance_of(repo.dir / "infra");
    REQUIRE(staged.has_value());
    CHECK(staged->modified == std::vector<std::string>{"infra/main.tf"});
}

TEST_CASE("git: provenance works from a subdirectory of the repository") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("a/b/c/main.tf", "# c\n");
    const std::string head = repo.commit("first");
    const auto p = git::provenance_of(repo.dir / "a" / "b" / "c");
    REQUIRE(p.has_value());
    CHECK(p->commit == head);
    CHECK(p->repository == fs::weakly_canonical(repo.dir).string());
    // A directory that does not exist yet is looked up from its nearest existing parent.
    const auto missing = git::provenance_of(repo.dir / "a" / "not-yet");
    REQUIRE(missing.has_value());
    CHECK(missing->commit == head);
}

TEST_CASE("git: outside a repository there is no provenance and nothing fails") {
    test::TempDir tmp;
    test::write_file(tmp.path() / "infra" / "main.tf", "# nothing\n");
    CHECK_FALSE(git::provenance_of(tmp.path() / "infra").has_value());
    CHECK_FALSE(git::Repository::discover(tmp.path()).has_value());
}

TEST_CASE("git: a branch without commits has a branch name and no commit") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("main.tf", "# x\n");
    const auto p = git::provenance_of(repo.dir);
    REQUIRE(p.has_value());
    CHECK(p->commit.empty());
    CHECK(p->branch == "main");
    CHECK(p->untracked == std::vector<std::string>{"main.tf"});
}

TEST_CASE("git: ahead and behind come from the local upstream ref") {
    test::TempDir tmp;
    test::GitRepo origin(tmp.path() / "origin");
    origin.write("main.tf", "# 1\n");
    origin.commit("one");
    test::GitRepo clone(tmp.path() / "scratch");  // replaced by the clone below
    fs::remove_all(clone.dir);
    origin.git({"clone", "-q", origin.dir.string(), clone.dir.string()}, tmp.path());
    origin.write("main.tf", "# 2\n");
    const std::string upstream_commit = origin.commit("two upstream");
    clone.write("local.tf", "# local\n");
    clone.commit("local work");

    // Before a fetch the local refs know nothing of "two upstream".
    auto p = git::provenance_of(clone.dir);
    REQUIRE(p.has_value());
    CHECK(p->upstream == "origin/main");
    CHECK(p->ahead == 1);
    CHECK(p->behind == 0);

    clone.git({"fetch", "-q"});
    p = git::provenance_of(clone.dir);
    REQUIRE(p.has_value());
    CHECK(p->ahead == 1);
    CHECK(p->behind == 1);
    REQUIRE(p->behind_commits.size() == 1);
    CHECK(p->behind_commits[0] == upstream_commit.substr(0, 7) + " two upstream");
    const auto record = git::to_json(*p);
    CHECK(record["upstream"] == "origin/main");
    CHECK(record["behind"] == 1);
}

TEST_CASE("git: changed_since lists committed and uncommitted changes and counts a rename as both paths") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("infra/modules/kafka/main.tf", "resource \"terraform_data\" \"broker\" {\n  input = \"a fairly long line so that rename detection sees the same content\"\n}\n");
    repo.write("infra/main.tf", "# root\n");
    repo.write("infra/vpc.tf", "# vpc\n");
    const std::string base = repo.commit("base");
    repo.git({"mv", "infra/modules/kafka/main.tf", "infra/modules/kafka/brokers.tf"});
    repo.commit("rename");
    repo.write("infra/vpc.tf", "# vpc changed\n");  // uncommitted
    repo.write("infra/new.tfvars", "x = 1\n");      // untracked
    repo.write("infra/.terraform/junk", "x");       // working data: never a change

    auto found = git::Repository::discover(repo.dir);
    REQUIRE(found.has_value());
    CHECK(found->resolve_commit("main~1") == base);
    CHECK(found->merge_base(base, found->resolve_commit("HEAD")) == base);
    const auto changed = found->changed_since(base);
    CHECK(changed == std::vector<std::string>{"infra/modules/kafka/brokers.tf", "infra/modules/kafka/main.tf",
                                              "infra/new.tfvars", "infra/vpc.tf"});
    CHECK_THROWS_WITH_AS(found->resolve_commit("no-such-branch"), doctest::Contains("unknown revision 'no-such-branch'"),
                         Error);
}

TEST_CASE("git: write_tree writes a commit's files and leaves the working tree alone") {
    test::TempDir tmp;
    test::GitRepo repo(tmp.path() / "repo");
    repo.write("infra/main.tf", "# old\n");
    repo.write("scripts/check.sh", "#!/bin/sh\nexit 0\n");
    fs::permissions(repo.dir / "scripts/check.sh", fs::perms::owner_exec, fs::perm_options::add);
    const std::string old_commit = repo.commit("old");
    repo.write("infra/main.tf", "# new\n");
    repo.write("infra/added.tf", "# added\n");
    repo.commit("new");
    repo.write("infra/main.tf", "# uncommitted\n");

    auto found = git::Repository::discover(repo.dir);
    REQUIRE(found.has_value());
    const fs::path out = tmp.path() / "tree";
    found->write_tree(old_commit, out);
    CHECK(test::read_text(out / "infra/main.tf") == "# old\n");
    CHECK_FALSE(fs::exists(out / "infra/added.tf"));
    CHECK((fs::status(out / "scripts/check.sh").permissions() & fs::perms::owner_exec) != fs::perms::none);
    CHECK_FALSE(fs::exists(out / ".git"));
    // The working tree and the index are as they were.
    CHECK(test::read_text(repo.dir / "infra/main.tf") == "# uncommitted\n");
    CHECK(repo.git({"status", "--porcelain"}) == " M infra/main.tf\n");
}

TEST_CASE("git: local module directories follow module calls with local sources") {
    test::TempDir tmp;
    const fs::path root = tmp.path() / "infra";
    test::write_file(root / "main.tf", R"(
module "kafka" {
  source = "./modules/kafka"
  count  = 1
}
module "vpc" {
  source = "./modules/vpc"
  tags = { name = "x" }
}
module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
# module "old" {
#   source = "./modules/old"
# }
/* module "older" {
  source = "./modules/older"
} */
)");
    // Module calls in JSON syntax count too.
    test::write_file(root / "queues.tf.json", R"({"module": {"queues": {"source": "./modules/queues", "count": 1}}})");
    test::write_file(root / "modules/queues/main.tf", "# queues\n");
    test::write_file(root / "modules/old/main.tf", "# commented out above\n");
    test::write_file(root / "modules/older/main.tf", "# commented out above\n");
    test::write_file(root / "modules/kafka/main.tf", "module \"topics\" {\n  source = \"../shared/topics\"\n}\n");
    test::write_file(root / "modules/vpc/main.tf", "# vpc\n");
    test::write_file(root / "modules/shared/topics/main.tf", "# topics\n");

    using V = std::vector<fs::path>;
    CHECK(rollout::local_module_dirs(root, {"module.kafka"}) == V{root / "modules/kafka", root / "modules/shared/topics"});
    CHECK(rollout::local_module_dirs(root, {"module.vpc.aws_vpc.main"}) == V{root / "modules/vpc"});
    CHECK(rollout::local_module_dirs(root, {"aws_s3_bucket.logs"}).empty());
    CHECK(rollout::local_module_dirs(root, {"module.queues"}) == V{root / "modules/queues"});
    CHECK(rollout::local_module_dirs(root, {"module.old"}).empty());
    CHECK(rollout::local_module_dirs(root, {"module.older"}).empty());
    CHECK(rollout::local_module_dirs(root, {}) ==
          V{root / "modules/kafka", root / "modules/queues", root / "modules/shared/topics", root / "modules/vpc"});
}
