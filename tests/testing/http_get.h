#ifndef VACWATCH_TESTS_TESTING_HTTP_GET_H_
#define VACWATCH_TESTS_TESTING_HTTP_GET_H_

// One HTTP/1.0 GET over TCP to 127.0.0.1, for the tests of the /metrics listener: no client
// library, so the test sees exactly what a scraper would.
//
//   HttpReply r = HttpGet(port, "/metrics");
//   EXPECT_EQ(r.status, 200);
//   Use(r.body);
//
// status is -1 when the connection failed (error says why). Blocks at most ~10 s.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace vacwatch::testing {

struct HttpReply {
  int status = -1;
  std::string headers;
  std::string body;
  std::string error;
};

inline HttpReply HttpGet(int port, const std::string& path, const std::string& method = "GET") {
  HttpReply reply;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    reply.error = std::strerror(errno);
    ::close(fd);
    return reply;
  }
  const std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    reply.error = std::strerror(errno);
    ::close(fd);
    return reply;
  }
  std::string response;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = response.find("\r\n\r\n");
  if (!response.starts_with("HTTP/1.") || head_end == std::string::npos) {
    reply.error = "not an HTTP response: " + response.substr(0, 200);
    return reply;
  }
  reply.status = std::atoi(response.c_str() + response.find(' ') + 1);
  reply.headers = response.substr(0, head_end);
  reply.body = response.substr(head_end + 4);
  return reply;
}

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_HTTP_GET_H_
