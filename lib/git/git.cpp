#include "git/git.hpp"

#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "support/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::git {
namespace {

// libgit2 is initialised once for the process and never shut down (other threads may still
// hold handles at exit).
void ensure_init() {
    static const int once = [] { return git_libgit2_init(); }();
    (void)once;
}

std::string last_error() {
    const git_error* e = git_error_last();
    return e != nullptr && e->message != nullptr ? e->message : "unknown error";
}

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorCode::generic, "git: " + what + ": " + last_error()); }

// A libgit2 handle freed by its own *_free.
template <class T, void (*Free)(T*)>
struct Owned {
    T* ptr = nullptr;
    Owned() = default;
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    ~Owned() { Free(ptr); }
    T** out() { return &ptr; }
    T* get() const { return ptr; }
    explicit operator bool() const { return ptr != nullptr; }
};
using Reference = Owned<git_reference, git_reference_free>;
using Commit = Owned<git_commit, git_commit_free>;
using Tree = Owned<git_tree, git_tree_free>;
using Blob = Owned<git_blob, git_blob_free>;
using Diff = Owned<git_diff, git_diff_free>;
using StatusList = Owned<git_status_list, git_status_list_free>;
using Revwalk = Owned<git_revwalk, git_revwalk_free>;
using Object = Owned<git_object, git_object_free>;

std::string hex(const git_oid* oid) {
    char text[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(text, sizeof text, oid);
    return text;
}

git_oid parse_oid(const std::string& text) {
    git_oid oid;
    if (git_oid_fromstr(&oid, text.c_str()) != 0)
        throw Error(ErrorCode::invalid_argument, "git: '" + text + "' is not a commit id");
    return oid;
}

fs::path normal(const fs::path& path) {
    std::error_code ec;
    fs::path out = fs::weakly_canonical(fs::absolute(path), ec);
    if (ec) out = fs::absolute(path).lexically_normal();
    std::string text = out.string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
}

bool under(const std::string& path, const std::string& dir) {
    if (dir.empty()) return true;  // the repository's top
    return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace

bool is_working_data(const std::string& path) {
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        const std::string part = path.substr(start, end - start);
        if (part == ".terraform" || part == "terraform.tfstate.d" || part == ".tfstage") return true;
        if (end == path.size() &&
            (part == "terraform.tfstate" || part == "terraform.tfstate.backup" || part == ".terraform.tfstate.lock.info"))
            return true;
        start = end + 1;
    }
    return false;
}

std::string relative_to(const fs::path& workdir, const fs::path& file) {
    const std::string root = normal(workdir).string();
    const std::string path = normal(file).string();
    if (path == root) return "";
    if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/')
        return path.substr(root.size() + 1);
    if (root == "/") return path.substr(1);
    return "";
}

json to_json(const Provenance& p) {
    json out{{"repository", p.repository}, {"commit", p.commit},       {"branch", p.branch},
             {"detached", p.detached},     {"dirty", p.dirty},         {"modified", p.modified},
             {"untracked", p.untracked},   {"upstream", nullptr},      {"ahead", nullptr},
             {"behind", nullptr}};
    if (!p.upstream.empty()) {
        out["upstream"] = p.upstream;
        out["ahead"] = p.ahead;
        out["behind"] = p.behind;
    }
    return out;
}

// ---------------------------------------------------------------------------------------

struct Repository::Handle {
    git_repository* repo = nullptr;
    ~Handle() { git_repository_free(repo); }
};

Repository::Repository(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
Repository::Repository(Repository&&) noexcept = default;
Repository& Repository::operator=(Repository&&) noexcept = default;
Repository::~Repository() = default;

std::optional<Repository> Repository::discover(const fs::path& dir) {
    ensure_init();
    auto handle = std::make_unique<Handle>();
    std::error_code ec;
    fs::path start = normal(dir);
    while (!start.empty() && !fs::exists(start, ec) && start != start.parent_path()) start = start.parent_path();
    if (git_repository_open_ext(&handle->repo, start.c_str(), 0, nullptr) != 0) return std::nullopt;
    if (git_repository_is_bare(handle->repo) || git_repository_workdir(handle->repo) == nullptr) return std::nullopt;
    return Repository(std::move(handle));
}

fs::path Repository::workdir() const { return normal(git_repository_workdir(handle_->repo)); }

std::string Repository::resolve_commit(const std::string& revision) const {
    Object object;
    if (git_revparse_single(object.out(), handle_->repo, revision.c_str()) != 0)
        throw Error(ErrorCode::invalid_argument,
                    "git: unknown revision '" + revision + "' in " + workdir().string() + " (" + last_error() + ")");
    Object commit;
    if (git_object_peel(commit.out(), object.get(), GIT_OBJECT_COMMIT) != 0)
        throw Error(ErrorCode::invalid_argument, "git: '" + revision + "' does not name a commit");
    return hex(git_object_id(commit.get()));
}

std::string Repository::merge_base(const std::string& a, const std::string& b) const {
    const git_oid one = parse_oid(a), two = parse_oid(b);
    git_oid base;
    const int rc = git_merge_base(&base, handle_->repo, &one, &two);
    if (rc == GIT_ENOTFOUND)
        throw Error(ErrorCode::invalid_argument, "git: commits " + a.substr(0, 12) + " and " + b.substr(0, 12) + " have no common ancestor");
    if (rc != 0) fail("merge base of " + a + " and " + b);
    return hex(&base);
}

std::vector<std::string> Repository::changed_since(const std::string& commit_id) const {
    const git_oid oid = parse_oid(commit_id);
    Commit commit;
    if (git_commit_lookup(commit.out(), handle_->repo, &oid) != 0) fail("commit " + commit_id);
    Tree tree;
    if (git_commit_tree(tree.out(), commit.get()) != 0) fail("the tree of " + commit_id);

    git_diff_options options;
    git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
    options.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
    Diff diff;
    if (git_diff_tree_to_workdir_with_index(diff.out(), handle_->repo, tree.get(), &options) != 0)
        fail("diff of " + commit_id + " against the working tree");
    git_diff_find_options find;
    git_diff_find_options_init(&find, GIT_DIFF_FIND_OPTIONS_VERSION);
    find.flags = GIT_DIFF_FIND_RENAMES | GIT_DIFF_FIND_FOR_UNTRACKED;
    if (git_diff_find_similar(diff.get(), &find) != 0) fail("rename detection");

    std::set<std::string> paths;
    const std::size_t count = git_diff_num_deltas(diff.get());
    for (std::size_t i = 0; i < count; ++i) {
        const git_diff_delta* delta = git_diff_get_delta(diff.get(), i);
        for (const char* path : {delta->old_file.path, delta->new_file.path})
            if (path != nullptr && *path != '\0' && !is_working_data(path)) paths.insert(path);
    }
    return {paths.begin(), paths.end()};
}

namespace {

struct WriteTree {
    git_repository* repo;
    fs::path destination;
    std::string error;
};

int write_entry(const char* root, const git_tree_entry* entry, void* payload) {
    auto& w = *static_cast<WriteTree*>(payload);
    try {
        const fs::path path = w.destination / root / git_tree_entry_name(entry);
        const git_filemode_t mode = git_tree_entry_filemode(entry);
        if (mode == GIT_FILEMODE_TREE) {
            fs::create_directories(path);
            return 0;
        }
        if (mode == GIT_FILEMODE_COMMIT) return 0;  // a submodule: not part of this tree's files
        Blob blob;
        if (git_blob_lookup(blob.out(), w.repo, git_tree_entry_id(entry)) != 0) {
            w.error = "blob " + std::string(root) + git_tree_entry_name(entry) + ": " + last_error();
            return -1;
        }
        const auto* bytes = static_cast<const char*>(git_blob_rawcontent(blob.get()));
        const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
        fs::create_directories(path.parent_path());
        if (mode == GIT_FILEMODE_LINK) {
            fs::create_symlink(std::string(bytes, size), path);
            return 0;
        }
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(bytes, static_cast<std::streamsize>(size));
            if (!out) {
                w.error = "cannot write " + path.string();
                return -1;
            }
        }
        ::chmod(path.c_str(), mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
        return 0;
    } catch (const std::exception& e) {
        w.error = e.what();
        return -1;
    }
}

}  // namespace

void Repository::write_tree(const std::string& commit_id, const fs::path& destination) const {
    const git_oid oid = parse_oid(commit_id);
    Commit commit;
    if (git_commit_lookup(commit.out(), handle_->repo, &oid) != 0)
        throw Error(ErrorCode::not_found, "git: commit " + commit_id + " is not in " + workdir().string() + ": " + last_error());
    Tree tree;
    if (git_commit_tree(tree.out(), commit.get()) != 0) fail("the tree of " + commit_id);
    fs::create_directories(destination);
    WriteTree w{handle_->repo, destination, {}};
    if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, write_entry, &w) != 0)
        throw Error(ErrorCode::io, "git: writing the files of " + commit_id + " into " + destination.string() + ": " +
                                       (w.error.empty() ? last_error() : w.error));
}

std::string Repository::describe(const std::string& commit_id) const {
    const git_oid oid = parse_oid(commit_id);
    Commit commit;
    if (git_commit_lookup(commit.out(), handle_->repo, &oid) != 0) return commit_id.substr(0, 7);
    const char* summary = git_commit_summary(commit.get());
    return commit_id.substr(0, 7) + " " + (summary != nullptr ? summary : "");
}

// ---------------------------------------------------------------------------------------

std::optional<Provenance> provenance_of(const fs::path& dir, const std::vector<fs::path>& extra_files) {
    auto repository = Repository::discover(dir);
    if (!repository) return std::nullopt;
    git_repository* repo = repository->handle_->repo;
    Provenance p;
    p.repository = repository->workdir().string();

    // HEAD: a branch, detached, or a branch without commits yet.
    Reference head;
    const int head_rc = git_repository_head(head.out(), repo);
    if (head_rc == 0) {
        p.commit = hex(git_reference_target(head.get()));
        p.detached = git_repository_head_detached(repo) == 1;
        if (!p.detached) p.branch = git_reference_shorthand(head.get());
    } else if (head_rc == GIT_EUNBORNBRANCH) {
        Reference symbolic;
        if (git_reference_lookup(symbolic.out(), repo, "HEAD") == 0 && git_reference_symbolic_target(symbolic.get())) {
            std::string target = git_reference_symbolic_target(symbolic.get());
            const std::string prefix = "refs/heads/";
            p.branch = target.rfind(prefix, 0) == 0 ? target.substr(prefix.size()) : target;
        }
    } else {
        fail("reading HEAD of " + p.repository);
    }

    // The upstream, from local refs only (what the last fetch left).
    if (head_rc == 0 && !p.detached) {
        Reference upstream;
        if (git_branch_upstream(upstream.out(), head.get()) == 0) {
            p.upstream = git_reference_shorthand(upstream.get());
            const git_oid* local = git_reference_target(head.get());
            const git_oid* remote = git_reference_target(upstream.get());
            if (local != nullptr && remote != nullptr) {
                if (git_graph_ahead_behind(&p.ahead, &p.behind, repo, local, remote) != 0) fail("ahead/behind of " + p.upstream);
                Revwalk walk;
                if (p.behind > 0 && git_revwalk_new(walk.out(), repo) == 0) {
                    git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
                    git_revwalk_push(walk.get(), remote);
                    git_revwalk_hide(walk.get(), local);
                    git_oid oid;
                    while (p.behind_commits.size() < 10 && git_revwalk_next(&oid, walk.get()) == 0)
                        p.behind_commits.push_back(repository->describe(hex(&oid)));
                }
            }
        } else {
            git_error_clear();
        }
    }

    // Modified and untracked files under the directory (and the extra files).
    const std::string prefix = relative_to(p.repository, dir);
    std::vector<std::string> extras;
    for (const auto& file : extra_files)
        if (auto rel = relative_to(p.repository, file); !rel.empty()) extras.push_back(rel);
    auto in_scope = [&](const std::string& path) {
        if (under(path, prefix)) return true;
        return std::any_of(extras.begin(), extras.end(), [&](const std::string& e) { return under(path, e); });
    };
    git_status_options options;
    git_status_options_init(&options, GIT_STATUS_OPTIONS_VERSION);
    options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                    GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
    StatusList list;
    if (git_status_list_new(list.out(), repo, &options) != 0) fail("status of " + p.repository);
    const std::size_t count = git_status_list_entrycount(list.get());
    for (std::size_t i = 0; i < count; ++i) {
        const git_status_entry* entry = git_status_byindex(list.get(), i);
        if (entry->status == GIT_STATUS_CURRENT || (entry->status & GIT_STATUS_IGNORED)) continue;
        const git_diff_delta* delta = entry->index_to_workdir != nullptr ? entry->index_to_workdir : entry->head_to_index;
        if (delta == nullptr) continue;
        const char* raw = delta->new_file.path != nullptr ? delta->new_file.path : delta->old_file.path;
        if (raw == nullptr) continue;
        const std::string path = raw;
        if (is_working_data(path) || !in_scope(path)) continue;
        const bool untracked = entry->status == GIT_STATUS_WT_NEW;
        (untracked ? p.untracked : p.modified).push_back(path);
    }
    p.dirty = !p.modified.empty() || !p.untracked.empty();
    return p;
}

}  // namespace tfstage::git
