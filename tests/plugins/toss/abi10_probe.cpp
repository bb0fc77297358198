// A plugin that targets ABI 1.0 (ADMIT_TARGET_MINOR 0) and still tries outbound HTTP: on a 1.0
// host the SDK must detect the missing function (ADMIT_HOST_OFFERS) and answer UNSUPPORTED
// instead of calling through a table that does not have it. Used by toss_unit_test.cpp.
#define ADMIT_TARGET_MINOR 0
#include <admit/sdk.hpp>

namespace abi10_probe {

admit_status last_http_status = ADMIT_OK;

class Probe final : public admit::sdk::Plugin {
  public:
    admit::sdk::Status init(admit::sdk::Host& host) override {
        admit::sdk::HttpRequest request;
        request.url = "http://127.0.0.1:9/";
        last_http_status = host.http(request).status();
        return {};
    }
};

}  // namespace abi10_probe

ADMIT_PLUGIN_DESCRIPTOR(abi10_probe, abi10_probe::Probe, "0.0.1");
