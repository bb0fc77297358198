// ServiceRegistry: named methods plugins offer each other ("reservation.confirm"), JSON in/out.
//
// Thread-safety: add() happens only while plugins initialize (one lifecycle thread, before
// traffic); find() is called from any worker afterwards. The map is guarded by a shared mutex so
// that a late registration can never race a lookup.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "admit/abi.h"

namespace admit::runtime {

struct ServiceEntry {
    std::string plugin;
    admit_service_fn fn = nullptr;
    void* ctx = nullptr;
    std::shared_ptr<boost::dll::shared_library> keep_alive;
};

class ServiceRegistry {
  public:
    bool contains(const std::string& method) const;
    // Returns false when the method is taken.
    bool add(const std::string& method, ServiceEntry entry);
    // A copy (holding the library alive) or nullptr semantics via fn == nullptr.
    ServiceEntry find(std::string_view method) const;
    std::vector<std::string> names() const;

  private:
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, ServiceEntry> entries_;
};

}  // namespace admit::runtime
