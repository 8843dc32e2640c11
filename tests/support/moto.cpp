#include "support/moto.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace tfstage::test {
namespace {

bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

MotoServer::MotoServer() {
    using namespace std::chrono_literals;
    for (int attempt = 0; attempt < 3; ++attempt) {
        port_ = free_port();
        process::Command command;
        command.argv = {"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port_)};
        server_ = std::make_unique<process::Background>(command);
        const auto deadline = std::chrono::steady_clock::now() + 60s;
        while (std::chrono::steady_clock::now() < deadline && server_->running()) {
            if (accepts_connections(port_)) return;
            std::this_thread::sleep_for(100ms);
        }
        server_->stop();  // lost the port to someone else, or too slow: try another port
    }
    throw std::runtime_error("moto_server did not start: " + server_->output());
}

MotoServer::~MotoServer() = default;

std::string MotoServer::output() const { return server_->output(); }

}  // namespace tfstage::test
