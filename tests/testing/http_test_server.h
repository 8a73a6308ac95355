#ifndef VACWATCH_TESTS_TESTING_HTTP_TEST_SERVER_H_
#define VACWATCH_TESTS_TESTING_HTTP_TEST_SERVER_H_

// HttpTestServer: a small HTTP server on 127.0.0.1 (a free port the kernel picks), for the
// HTTP sinks' tests. It records every request and answers with the statuses it is told to:
//
//   auto server = HttpTestServer::Start();
//   server->AnswerNext({429, 500});            // then the default, 200
//   ... point a sink at server->url() + "/hook" ...
//   ASSERT_TRUE(server->WaitForRequests(3, absl::Seconds(10)));
//   std::vector<HttpTestServer::Request> got = server->requests();
//
// Thread-safe (libmicrohttpd answers on its own thread). Stops when destroyed.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"

struct MHD_Daemon;

namespace vacwatch::testing {

class HttpTestServer {
 public:
  struct Request {
    std::string method, path, body;
    std::map<std::string, std::string> headers;  // names lowercased
    absl::Time received;
  };

  static std::unique_ptr<HttpTestServer> Start();
  ~HttpTestServer();

  std::string url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }
  // The next requests get these statuses, in order; after them, the default.
  void AnswerNext(const std::vector<int>& statuses);
  void SetDefaultStatus(int status);
  std::vector<Request> requests() const;
  // Waits until at least `n` requests were recorded; false after `timeout`.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;

  // For the server's thread: records `request` and returns the status to answer.
  int RecordAndAnswer(Request request);

 private:
  HttpTestServer() = default;

  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable recorded_;
  std::vector<Request> requests_;
  std::deque<int> next_;
  int default_status_ = 200;
};

// A TCP port on 127.0.0.1 free right now (bound to 0 and released): for servers the test
// starts as processes.
int FreePort();

}  // namespace vacwatch::testing

#endif  // VACWATCH_TESTS_TESTING_HTTP_TEST_SERVER_H_
