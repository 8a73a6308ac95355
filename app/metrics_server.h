#ifndef VACWATCH_APP_METRICS_SERVER_H_
#define VACWATCH_APP_METRICS_SERVER_H_

// MetricsServer: the HTTP listener of `vacwatch run` (default 127.0.0.1:9187) and of
// `vacwatch replay --metrics-listen ADDR`:
//   GET /metrics   the last published page (service_metrics.h), text format 0.0.4
//   GET /healthz   200 "ok": the process is alive and serving
//   GET /readyz    200 "ready", or 503 with the reason (state store not open, no partitions
//                  assigned, not consuming for N s)
// anything else 404, a method other than GET or HEAD 405.
//
//   VW_ASSIGN_OR_RETURN(MetricsAddress address, ParseMetricsAddress("127.0.0.1:9187"));
//   VW_ASSIGN_OR_RETURN(auto server, MetricsServer::Start(address, &metrics));
//   server->port();   // the bound port (for port 0: the one the kernel chose)
//   ...               // destroying the server stops it: in-flight requests end first
//
// libmicrohttpd (Debian's libmicrohttpd12) serves the requests on one internal thread: HTTP
// parsing, keep-alive, timeouts and slow clients are its business, tested by far more users
// than a server of our own would be. We bind the socket ourselves and hand it over
// (MHD_OPTION_LISTEN_SOCKET), so a port in use is a clear error naming the address
// (FailedPrecondition: "127.0.0.1:9187 is in use ..."), not libmicrohttpd's null. Start it
// after blocking SIGTERM/SIGINT in the caller (run_command.cc does), so its thread inherits
// the mask and the signals reach the service's stop check. Keeps the `metrics` pointer: it
// must outlive the server.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "app/service_metrics.h"

struct MHD_Daemon;

namespace vacwatch::app {

struct MetricsAddress {
  std::string host;  // an IP address or a name ("localhost"); "" = every interface
  int port = 9187;
  std::string text() const;  // "127.0.0.1:9187", "[::1]:9187"
};

// "HOST:PORT", "[IPV6]:PORT", ":PORT" (every interface) or "PORT" (127.0.0.1). InvalidArgument
// naming the flag's expected forms otherwise. "off" is the caller's business.
absl::StatusOr<MetricsAddress> ParseMetricsAddress(std::string_view text);

class MetricsServer {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const MetricsAddress& address,
                                                              const ServiceMetrics* metrics);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }

 private:
  MetricsServer(const ServiceMetrics* metrics, int port) : metrics_(metrics), port_(port) {}

  const ServiceMetrics* const metrics_;
  const int port_;
  MHD_Daemon* daemon_ = nullptr;
};

}  // namespace vacwatch::app

#endif  // VACWATCH_APP_METRICS_SERVER_H_
