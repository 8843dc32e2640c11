// The journal's hash of stage variables is keyed (issue 11): a key in the state directory,
// never in the journal, made once and kept.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <thread>

#include "rollout/input_key.hpp"
#include "support/digest.hpp"
#include "rollout/scratch.hpp"
#include "support/error.hpp"

using namespace tfstage;
using namespace tfstage::rollout;
namespace fs = std::filesystem;
using json = nlohmann::json;


TEST_CASE("input key: made once (0600, 32 random bytes), reused after, and different per state directory") {
    test::RolloutScratch a;
    test::RolloutScratch b;
    const fs::path state = a.dir() / ".tfstage";
    std::vector<std::string> keys(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < keys.size(); ++i) threads.emplace_back([&, i] { keys[i] = input_key(state); });
    for (auto& t : threads) t.join();
    for (const auto& key : keys) CHECK(key == keys.front());
    CHECK(keys.front().size() == 32);
    struct stat st {};
    REQUIRE(::stat((state / "secret.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777U) == 0600U);
    CHECK(st.st_size == 32);
    int others = 0;
    for (const auto& entry : fs::directory_iterator(state)) others += entry.path().filename() != "secret.key";
    CHECK(others == 0);  // no temporary file left behind
    CHECK(input_key(state) == keys.front());
    CHECK(input_key(b.dir() / ".tfstage") != keys.front());
}

TEST_CASE("input key: the HMAC is not the plain sha256, depends on the key, and is stable") {
    test::RolloutScratch a;
    test::RolloutScratch b;
    const std::string text = vars_text({{"db_password", "hunter2"}, {"region", "eu-west-1"}});
    CHECK(text == "db_password=hunter2\nregion=eu-west-1\n");
    const std::string mac = vars_hmac(a.dir(), text);
    CHECK(mac.size() == 64);
    CHECK(mac != sha256_hex(text));
    CHECK(mac == vars_hmac(a.dir(), text));
    CHECK(mac != vars_hmac(b.dir(), text));
    CHECK(mac != vars_hmac(a.dir(), vars_text({{"db_password", "hunter3"}, {"region", "eu-west-1"}})));
}

TEST_CASE("input key: a damaged key file is an error that says what to do") {
    test::RolloutScratch a;
    a.write("secret.key", "short");
    try {
        input_key(a.dir());
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::io);
        CHECK(std::string(e.what()).find("damaged") != std::string::npos);
    }
}

TEST_CASE("input key: a record with the old unsalted hash is upgraded only when the variables still match") {
    test::RolloutScratch a;
    const std::string text = vars_text({{"password", "s3cr3t"}});
    json same = {{"name", "db"}, {"inputs", {{"var_names", {"password"}}, {"vars_sha256", sha256_hex(text)}}}};
    CHECK(upgrade_legacy_vars_hash(same, a.dir(), text));
    CHECK_FALSE(same["inputs"].contains("vars_sha256"));
    CHECK(same["inputs"]["vars_hmac"] == vars_hmac(a.dir(), text));

    json changed = {{"name", "db"}, {"inputs", {{"vars_sha256", sha256_hex(vars_text({{"password", "old"}}))}}}};
    CHECK(upgrade_legacy_vars_hash(changed, a.dir(), text));
    CHECK_FALSE(changed["inputs"].contains("vars_sha256"));
    CHECK(changed["inputs"]["vars_hmac"] != vars_hmac(a.dir(), text));

    json current = {{"name", "db"}, {"inputs", {{"vars_hmac", vars_hmac(a.dir(), text)}}}};
    const json copy = current;
    CHECK_FALSE(upgrade_legacy_vars_hash(current, a.dir(), text));
    CHECK(current == copy);
    json no_inputs = {{"name", "x"}};
    CHECK_FALSE(upgrade_legacy_vars_hash(no_inputs, a.dir(), text));
}
