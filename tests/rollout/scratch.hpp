// A scratch project for rollout file tests: a root directory `infra` (with environments/prod),
// a var file `prod.tfvars`, and rollout files written on demand.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

namespace tfstage::test {

class RolloutScratch {
public:
    RolloutScratch() {
        static std::atomic<int> counter{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("tfstage-rollout-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_ / "infra" / "environments" / "prod");
        write("prod.tfvars", "instance_count = 3\n");
    }
    ~RolloutScratch() {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    RolloutScratch(const RolloutScratch&) = delete;
    RolloutScratch& operator=(const RolloutScratch&) = delete;

    const std::filesystem::path& dir() const { return dir_; }

    std::filesystem::path write(const std::string& name, const std::string& text) const {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return dir_ / name;
    }

private:
    std::filesystem::path dir_;
};

}  // namespace tfstage::test
