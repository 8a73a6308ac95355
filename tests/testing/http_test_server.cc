#include "tests/testing/http_test_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace vacwatch::testing {
namespace {

struct Pending {
  std::string body;
};

enum MHD_Result AddHeader(void* cls, enum MHD_ValueKind, const char* key, const char* value) {
  std::string name = key;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  (*static_cast<std::map<std::string, std::string>*>(cls))[name] = value != nullptr ? value : "";
  return MHD_YES;
}

void Completed(void*, MHD_Connection*, void** context, enum MHD_RequestTerminationCode) {
  delete static_cast<Pending*>(*context);
  *context = nullptr;
}

}  // namespace

std::string HttpTestServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

void HttpTestServer::AnswerNext(const std::vector<int>& statuses) {
  std::lock_guard<std::mutex> lock(mu_);
  next_.insert(next_.end(), statuses.begin(), statuses.end());
}

void HttpTestServer::SetDefaultStatus(int status) {
  std::lock_guard<std::mutex> lock(mu_);
  default_status_ = status;
}

std::vector<HttpTestServer::Request> HttpTestServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

bool HttpTestServer::WaitForRequests(size_t n, absl::Duration timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return recorded_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                            [&] { return requests_.size() >= n; });
}

int HttpTestServer::RecordAndAnswer(Request request) {
  int status = 200;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!next_.empty()) {
      status = next_.front();
      next_.pop_front();
    } else {
      status = default_status_;
    }
    requests_.push_back(std::move(request));
  }
  recorded_.notify_all();
  return status;
}

namespace {

enum MHD_Result Handle(void* self, MHD_Connection* connection, const char* url, const char* method,
                       const char*, const char* upload_data, size_t* upload_data_size,
                       void** context) {
  auto* server = static_cast<HttpTestServer*>(self);
  if (*context == nullptr) {
    *context = new Pending();
    return MHD_YES;
  }
  auto* pending = static_cast<Pending*>(*context);
  if (*upload_data_size > 0) {
    pending->body.append(upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  HttpTestServer::Request request;
  request.method = method;
  request.path = url;
  request.body = std::move(pending->body);
  request.received = absl::Now();
  MHD_get_connection_values(connection, MHD_HEADER_KIND, &AddHeader, &request.headers);
  const int status = server->RecordAndAnswer(std::move(request));
  static const char kBody[] = "{}";
  MHD_Response* response =
      MHD_create_response_from_buffer(2, const_cast<char*>(kBody), MHD_RESPMEM_PERSISTENT);
  const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(status), response);
  MHD_destroy_response(response);
  return queued;
}

}  // namespace

std::unique_ptr<HttpTestServer> HttpTestServer::Start() {
  std::unique_ptr<HttpTestServer> server(new HttpTestServer());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server->daemon_ =
      MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr,
                       &Handle, server.get(), MHD_OPTION_SOCK_ADDR, &addr,
                       MHD_OPTION_NOTIFY_COMPLETED, &Completed, nullptr, MHD_OPTION_END);
  if (server->daemon_ == nullptr) return nullptr;
  const MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info != nullptr ? info->port : 0;
  return server;
}

HttpTestServer::~HttpTestServer() {
  if (daemon_ != nullptr) MHD_stop_daemon(daemon_);
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace vacwatch::testing
