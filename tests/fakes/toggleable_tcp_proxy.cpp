#include "fakes/toggleable_tcp_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace glisk::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

ToggleableTcpProxy::ToggleableTcpProxy(int target_port) : target_port_(target_port) {
  if (pipe(wake_pipe_) != 0) throw std::runtime_error("pipe failed");
  listen_on_port();
  acceptor_ = std::thread([this] { accept_loop(); });
}

ToggleableTcpProxy::~ToggleableTcpProxy() {
  stopping_ = true;
  cut();
  (void)!write(wake_pipe_[1], "x", 1);
  acceptor_.join();
  std::list<Connection> pumps;
  {
    std::lock_guard lock(mutex_);
    pumps.swap(pumps_);
  }
  for (auto& c : pumps) c.thread.join();
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

void ToggleableTcpProxy::listen_on_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // the port may hold TIME_WAIT connections
  sockaddr_in addr = loopback(port_);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    throw std::runtime_error("proxy cannot listen on 127.0.0.1:" + std::to_string(port_) + ": " + error);
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  {
    std::lock_guard lock(mutex_);
    listen_fd_ = fd;
  }
  (void)!write(wake_pipe_[1], "x", 1);
}

void ToggleableTcpProxy::cut() {
  cut_ = true;
  std::lock_guard lock(mutex_);
  if (listen_fd_ >= 0) {
    close(listen_fd_);  // nothing listens: the kernel refuses new connections
    listen_fd_ = -1;
  }
  for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);  // the pumps see the end and close them
  (void)!write(wake_pipe_[1], "x", 1);
}

void ToggleableTcpProxy::restore() {
  if (!cut_) return;
  listen_on_port();
  cut_ = false;
}

void ToggleableTcpProxy::reap_finished() {
  for (auto it = pumps_.begin(); it != pumps_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = pumps_.erase(it);
    } else {
      ++it;
    }
  }
}

void ToggleableTcpProxy::accept_loop() {
  while (!stopping_) {
    int fd;
    {
      std::lock_guard lock(mutex_);
      fd = listen_fd_;
      reap_finished();
    }
    pollfd fds[2] = {{wake_pipe_[0], POLLIN, 0}, {fd, POLLIN, 0}};
    const int ready = ::poll(fds, fd >= 0 ? 2 : 1, 200);
    if (ready <= 0) continue;
    if (fds[0].revents & POLLIN) {
      char drain[64];
      (void)!read(wake_pipe_[0], drain, sizeof drain);
      continue;  // the listening socket may have changed
    }
    if (fd < 0 || !(fds[1].revents & POLLIN)) continue;
    std::lock_guard lock(mutex_);
    if (listen_fd_ != fd) continue;  // cut meanwhile
    int client = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in target = loopback(target_port_);
    if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
      if (upstream >= 0) close(upstream);
      close(client);
      continue;
    }
    ++connections_;
    open_fds_.insert(client);
    open_fds_.insert(upstream);
    auto done = std::make_shared<std::atomic<bool>>(false);
    pumps_.push_back({std::thread([this, client, upstream, done] {
                        pump(client, upstream);
                        done->store(true);
                      }),
                      done});
  }
}

void ToggleableTcpProxy::pump(int client, int upstream) {
  pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
  char buf[16384];
  bool open = true;
  while (open && !stopping_) {
    const int ready = ::poll(fds, 2, 200);
    if (ready < 0 && errno != EINTR) break;
    for (int i = 0; i < 2 && open; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      open = n > 0 && write_all(fds[1 - i].fd, buf, static_cast<size_t>(n));
    }
  }
  std::lock_guard lock(mutex_);  // so that cut() never shuts down a reused descriptor number
  open_fds_.erase(client);
  open_fds_.erase(upstream);
  close(client);
  close(upstream);
}

}  // namespace glisk::testing
