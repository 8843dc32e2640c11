// A real moto server (AWS API emulator) for one test, on a free loopback port.
#pragma once

#include <memory>
#include <string>

#include "process/process.hpp"

namespace tfstage::test {

class MotoServer {
public:
    // Starts `moto_server -H 127.0.0.1 -p PORT` and waits until it accepts connections.
    MotoServer();
    ~MotoServer();

    int port() const { return port_; }
    // http://localhost:PORT: the host name matters (moto parses S3 URLs by host name).
    std::string endpoint() const { return "http://localhost:" + std::to_string(port_); }
    // What the server printed so far (its request log and any traceback): for failure messages.
    std::string output() const;

private:
    int port_ = 0;
    std::unique_ptr<process::Background> server_;
};

// A free TCP port on 127.0.0.1 (the kernel's choice; released before returning).
int free_port();

}  // namespace tfstage::test
