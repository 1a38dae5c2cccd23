// The production WebhookSender: one libcurl easy handle per POST, short timeouts, no
// redirects (a robot URL that redirects is misconfigured), at most a few KiB of answer.
#include <curl/curl.h>

#include <mutex>

#include "platform/notification.h"

namespace tuoke::platform {
namespace {

constexpr size_t kMaxAnswerBytes = 4096;

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  size_t bytes = size * count;
  if (answer->size() < kMaxAnswerBytes) answer->append(data, std::min(bytes, kMaxAnswerBytes - answer->size()));
  return bytes;
}

class CurlWebhookSender final : public WebhookSender {
 public:
  CurlWebhookSender() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  WebhookResponse Post(const WebhookRequest& request) override {
    WebhookResponse response;
    CURL* curl = curl_easy_init();
    if (!curl) {
      response.error = "curl_easy_init failed";
      return response;
    }
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
    char error[CURL_ERROR_SIZE] = {};
    long timeout_ms = static_cast<long>(request.timeout.count());
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // worker threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "tuoke-webhook/1");
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    CURLcode code = curl_easy_perform(curl);
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
    } else {
      response.error = error[0] ? error : curl_easy_strerror(code);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return response;
  }
};

}  // namespace

std::unique_ptr<WebhookSender> MakeCurlWebhookSender() { return std::make_unique<CurlWebhookSender>(); }

}  // namespace tuoke::platform
