// RegistrationSink: where a plugin's staged registrations go once its init succeeded.
#pragma once

#include "host/common/result.hpp"
#include "host/plugins/plugin_record.hpp"

namespace admit::runtime {

class RegistrationSink {
  public:
    virtual ~RegistrationSink() = default;
    // Checks that the plugin's staged registrations fit the live tables (no route, service or
    // authenticator clash). Must not change anything.
    virtual Status validate(const PluginRecord& plugin) = 0;
    // Publishes them. Called only after validate() succeeded, which checks everything commit can
    // refuse; a refusal here anyway (a bug or a race) fails the plugin's init with the reason.
    virtual Status commit(const PluginRecord& plugin) = 0;
};

}  // namespace admit::runtime
