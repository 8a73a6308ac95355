#ifndef VACWATCH_SINKS_HTTP_HTTP_CLIENT_H_
#define VACWATCH_SINKS_HTTP_HTTP_CLIENT_H_

// HttpClient: one HTTP POST at a time over libcurl, for the HTTP alert sinks. TLS peers are
// verified by default (certificate and host name, against the system's CAs or `ca_file`); only
// `tls_verify = false` turns that off, for a test server.
//
//   HttpClient client(HttpClientOptions{});
//   HttpRequest request;
//   request.url = "http://127.0.0.1:9093/api/v2/alerts";
//   request.headers = {{"Content-Type", "application/json"}};
//   request.body = "[...]";
//   absl::StatusOr<HttpResponse> response = client.Post(request);
//
// Post returns the response whatever its status code (the caller's retry policy judges it);
// an error only when no response came: Unavailable for a connection refused, a timeout, a TLS
// failure (curl's message, with the URL), InvalidArgument for a URL curl cannot use. The
// client keeps no reference to the request past the call. One client per thread: it reuses
// its connection (keep-alive) and is not thread-safe.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vacwatch::sinks {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(10);  // the whole request, connect included
  bool tls_verify = true;
  std::string ca_file;  // PEM bundle; empty: the system's
};

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string body;  // the first 64 KiB
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  absl::StatusOr<HttpResponse> Post(const HttpRequest& request);

 private:
  struct Curl;
  const HttpClientOptions options_;
  std::unique_ptr<Curl> curl_;
};

}  // namespace vacwatch::sinks

#endif  // VACWATCH_SINKS_HTTP_HTTP_CLIENT_H_
