// Git, through libgit2: where a configuration comes from (provenance), whether it may be
// deployed (guards), what changed since a ref, and the files of a commit written out into a
// directory (rollback). Everything here reads local data only: no fetch, no network.
//
// Outside a git repository there is no provenance (nullopt) and nothing fails; only the
// operations that cannot mean anything without one (changes since a ref, a commit's tree)
// throw, with a message that says so.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tfstage::git {

// Terraform's and tfstage's own working data (.terraform/, terraform.tfstate*,
// terraform.tfstate.d/, .tfstage/) is never configuration: it does not make a tree dirty and
// does not count as a change. `path` is relative to the repository (with '/').
bool is_working_data(const std::string& path);

// The state of the repository holding a directory, as it matters for a deploy.
struct Provenance {
    std::string repository;  // the repository's working directory (absolute, no trailing '/')
    std::string commit;      // HEAD's full hex id; "" on a branch without commits yet
    std::string branch;      // the short branch name; "" when detached
    bool detached = false;
    bool dirty = false;  // something under the directory is modified or untracked
    std::vector<std::string> modified;   // under the directory, relative to the repository
    std::vector<std::string> untracked;  // idem
    std::string upstream;                // "origin/main"; "" when the branch tracks nothing
    std::size_t ahead = 0;               // commits on HEAD and not on the upstream
    std::size_t behind = 0;              // commits on the upstream and not on HEAD
    std::vector<std::string> behind_commits;  // "abc1234 summary", newest first, at most 10
};

// {"repository", "commit", "branch", "detached", "dirty", "modified", "untracked",
//  "upstream", "ahead", "behind"}; upstream/ahead/behind are null without an upstream.
nlohmann::json to_json(const Provenance& provenance);

// The provenance of `dir` (a root, or any directory inside a repository's working tree, even a
// subdirectory). Files are listed when they are under `dir` or under (or are) one of
// `extra_files` (other roots, var files, the rollout file). nullopt outside a repository (and for a bare one).
std::optional<Provenance> provenance_of(const std::filesystem::path& dir,
                                        const std::vector<std::filesystem::path>& extra_files = {});

// An open repository; move-only, freed with the object.
class Repository {
public:
    // The repository whose working tree holds `dir`; nullopt when there is none.
    static std::optional<Repository> discover(const std::filesystem::path& dir);

    Repository(Repository&&) noexcept;
    Repository& operator=(Repository&&) noexcept;
    ~Repository();

    // The working directory (absolute, without a trailing '/').
    std::filesystem::path workdir() const;

    // A revision (a branch, tag, remote branch, commit id, HEAD~2...) as a full commit id.
    // Throws Error(invalid_argument) naming it when it is unknown.
    std::string resolve_commit(const std::string& revision) const;

    // The best common ancestor of two commits. Throws Error(invalid_argument) when they have none.
    std::string merge_base(const std::string& a, const std::string& b) const;

    // Paths (relative to the repository) that differ between `commit` and the working tree
    // (staged and unstaged changes, untracked files, deletions). A rename counts as a change
    // of both its old and its new path. Terraform's working data is left out.
    std::vector<std::string> changed_since(const std::string& commit) const;

    // Writes every file of `commit` into `destination` (created; it must not exist or be
    // empty). The repository's index and working tree are not touched. Symbolic links are
    // recreated, executable files keep their mode, submodules are left out.
    void write_tree(const std::string& commit, const std::filesystem::path& destination) const;

    // "abc1234 subject" for a commit.
    std::string describe(const std::string& commit) const;

    struct Handle;

private:
    friend std::optional<Provenance> provenance_of(const std::filesystem::path&, const std::vector<std::filesystem::path>&);
    explicit Repository(std::unique_ptr<Handle> handle);
    std::unique_ptr<Handle> handle_;
};

// The path of `file` relative to the repository at `workdir`, with '/'; "" when outside it.
std::string relative_to(const std::filesystem::path& workdir, const std::filesystem::path& file);

}  // namespace tfstage::git
