#include "sinks/http/http_client.h"

#include <curl/curl.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace vacwatch::sinks {
namespace {

constexpr size_t kMaxResponseBody = 64 << 10;

// curl_global_init is not thread-safe: once, before the first handle.
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (body->size() < kMaxResponseBody) body->append(data, std::min(n, kMaxResponseBody));
  return n;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

struct HttpClient::Curl {
  CURL* handle = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Curl() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), curl_(std::make_unique<Curl>()) {
  GlobalInit();
  curl_->handle = curl_easy_init();
}

HttpClient::~HttpClient() = default;

absl::StatusOr<HttpResponse> HttpClient::Post(const HttpRequest& request) {
  CURL* h = curl_->handle;
  if (h == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_easy_reset(h);
  curl_->error[0] = '\0';
  HttpResponse response;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = absl::StrCat(name, ": ", value);
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return absl::ResourceExhaustedError("curl_slist_append failed");
    (void)headers.release();
    headers.reset(appended);
  }
  // No "Expect: 100-continue" round trip for bodies over 1 KiB.
  curl_slist* appended = curl_slist_append(headers.get(), "Expect:");
  if (appended != nullptr) {
    (void)headers.release();
    headers.reset(appended);
  }
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_->error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.tls_verify ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.tls_verify ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "vacwatch");
  const CURLcode code = curl_easy_perform(h);
  if (code != CURLE_OK) {
    const std::string message =
        absl::StrCat("POST ", request.url, ": ",
                     curl_->error[0] != '\0' ? curl_->error : curl_easy_strerror(code));
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
      return absl::InvalidArgumentError(message);
    }
    return absl::UnavailableError(message);
  }
  long status = 0;  // NOLINT(google-runtime-int): curl's type
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace vacwatch::sinks
