#include "app/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vacwatch::app {
namespace {

constexpr char kUsage[] =
    "expected HOST:PORT (127.0.0.1:9187, [::1]:9187), :PORT for every interface, or off";

// One response: the body is copied by libmicrohttpd.
MHD_Result Respond(MHD_Connection* connection, unsigned int code, const std::string& body,
                   const char* content_type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  MHD_add_response_header(response, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  const MHD_Result result = MHD_queue_response(connection, code, response);
  MHD_destroy_response(response);
  return result;
}

MHD_Result Handle(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char* /*version*/, const char* /*upload_data*/, size_t* upload_data_size,
                  void** request_state) {
  // The first call only announces the request (headers read); answer on the second.
  static int announced;
  if (*request_state == nullptr) {
    *request_state = &announced;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {  // a body we do not read
    *upload_data_size = 0;
    return MHD_YES;
  }
  constexpr char kText[] = "text/plain; charset=utf-8";
  const auto* metrics = static_cast<const ServiceMetrics*>(cls);
  const std::string_view m(method);
  if (m != MHD_HTTP_METHOD_GET && m != MHD_HTTP_METHOD_HEAD) {
    return Respond(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", kText);
  }
  const std::string_view path(url);
  if (path == "/metrics") {
    return Respond(connection, MHD_HTTP_OK, metrics->Page(),
                   "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/healthz") return Respond(connection, MHD_HTTP_OK, "ok\n", kText);
  if (path == "/readyz") {
    const auto [ready, why] = metrics->Readiness();
    return Respond(connection, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, why + "\n",
                   kText);
  }
  return Respond(connection, MHD_HTTP_NOT_FOUND, "not found: try /metrics, /healthz, /readyz\n",
                 kText);
}

// A listening socket on `address`, or an error that names it.
absl::StatusOr<int> Listen(const MetricsAddress& address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(address.port);
  const int gai = ::getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), port.c_str(),
                                &hints, &found);
  if (gai != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen address ", address.text(), ": ", ::gai_strerror(gai)));
  }
  int error = 0;
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      error = errno;
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // restarts in TIME_WAIT
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
      error = errno;
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd >= 0) return fd;
  const std::string where = absl::StrCat("metrics listen address ", address.text(), ": ");
  if (error == EADDRINUSE) {
    return absl::FailedPreconditionError(
        absl::StrCat(where,
                     "the port is in use (another vacwatch?): give --metrics-listen another "
                     "address, or off"));
  }
  if (error == EADDRNOTAVAIL) {
    return absl::FailedPreconditionError(
        absl::StrCat(where, "no interface of this machine has that address"));
  }
  if (error == EACCES) {
    return absl::PermissionDeniedError(absl::StrCat(where, std::strerror(error)));
  }
  return absl::UnavailableError(absl::StrCat(where, std::strerror(error)));
}

int BoundPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

std::string MetricsAddress::text() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<MetricsAddress> ParseMetricsAddress(std::string_view text) {
  MetricsAddress address;
  std::string_view port_text = text;
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    address.host = "127.0.0.1";
  } else {
    std::string_view host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.starts_with('[') && host.ends_with(']')) {
      host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("metrics listen address '", std::string(text), "': ", kUsage));
    }
    address.host = std::string(host);
  }
  int port = -1;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics listen address '", std::string(text), "': ", kUsage));
  }
  address.port = port;
  return address;
}

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(const MetricsAddress& address,
                                                                    const ServiceMetrics* metrics) {
  absl::StatusOr<int> fd = Listen(address);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<MetricsServer> server(new MetricsServer(metrics, BoundPort(*fd)));
  // libmicrohttpd closes the socket when it stops.
  server->daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, nullptr,
                                     nullptr, &Handle, const_cast<ServiceMetrics*>(metrics),
                                     MHD_OPTION_LISTEN_SOCKET, *fd, MHD_OPTION_CONNECTION_TIMEOUT,
                                     10u, MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_END);
  if (server->daemon_ == nullptr) {
    ::close(*fd);
    return absl::InternalError(
        absl::StrCat("metrics listen address ", address.text(), ": the HTTP server did not start"));
  }
  return server;
}

MetricsServer::~MetricsServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

}  // namespace vacwatch::app
