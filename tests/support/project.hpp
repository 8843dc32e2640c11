// A scratch project for end-to-end rollout tests: a rollout file next to its roots, and the
// state directory `tfstage` keeps next to it.
#pragma once

#include <filesystem>
#include <string>

#include "support/workdir.hpp"

namespace tfstage::test {

struct Project {
    TempDir dir;
    std::filesystem::path file() const { return dir.path() / "rollout.yaml"; }
    std::filesystem::path state_dir() const { return dir.path() / ".tfstage"; }
    std::filesystem::path root(const std::string& name) const { return dir.path() / name; }
    std::filesystem::path journal(const std::string& run) const { return state_dir() / "runs" / run / "journal.json"; }
    void write_root(const std::string& name, const std::string& main_tf) const { write_file(root(name) / "main.tf", main_tf); }
    void write_rollout(const std::string& yaml) const { write_file(file(), yaml); }
    std::string path() const { return file().string(); }
    std::string state() const { return state_dir().string(); }
};

}  // namespace tfstage::test
