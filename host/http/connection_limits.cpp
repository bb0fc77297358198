#include "host/http/connection_limits.hpp"

namespace admit::http {

std::shared_ptr<ConnectionLimits> ConnectionLimits::create(Caps caps) {
    return std::shared_ptr<ConnectionLimits>(new ConnectionLimits(caps));
}

ConnectionLimits::Lease::~Lease() {
    if (owner_) owner_->release(kind_, bucket_, counted_per_client_);
}

ConnectionLimits::Lease& ConnectionLimits::Lease::operator=(Lease&& other) noexcept {
    if (this == &other) return *this;
    if (owner_) owner_->release(kind_, bucket_, counted_per_client_);
    owner_ = std::move(other.owner_);
    other.owner_.reset();
    kind_ = other.kind_;
    bucket_ = std::move(other.bucket_);
    counted_per_client_ = other.counted_per_client_;
    return *this;
}

ConnectionLimits::Lease ConnectionLimits::open_connection(const std::string& bucket,
                                                          bool per_client, Refusal& refusal) {
    std::lock_guard lock(mutex_);
    refusal = Refusal::none;
    if (caps_.max_connections != 0 && connections_ >= caps_.max_connections) {
        refusal = Refusal::server_full;
        return {};
    }
    if (per_client && caps_.max_connections_per_client != 0) {
        auto& count = connections_by_client_[bucket];
        if (count >= caps_.max_connections_per_client) {
            refusal = Refusal::client_full;
            return {};
        }
        ++count;
    }
    ++connections_;
    return Lease(shared_from_this(), Lease::Kind::connection, bucket, per_client);
}

ConnectionLimits::Lease ConnectionLimits::open_stream(const std::string& bucket) {
    std::lock_guard lock(mutex_);
    auto& count = streams_by_client_[bucket];
    if (caps_.max_streams_per_client != 0 && count >= caps_.max_streams_per_client) {
        if (count == 0) streams_by_client_.erase(bucket);
        return {};
    }
    ++count;
    return Lease(shared_from_this(), Lease::Kind::stream, bucket, true);
}

void ConnectionLimits::release(Lease::Kind kind, const std::string& bucket,
                               bool counted_per_client) {
    std::lock_guard lock(mutex_);
    auto& by_client = kind == Lease::Kind::stream ? streams_by_client_ : connections_by_client_;
    if (kind == Lease::Kind::connection) --connections_;
    if (!counted_per_client) return;
    auto it = by_client.find(bucket);
    if (it == by_client.end()) return;
    if (--it->second == 0) by_client.erase(it);
}

std::size_t ConnectionLimits::connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
}

std::size_t ConnectionLimits::streams_of(const std::string& bucket) const {
    std::lock_guard lock(mutex_);
    auto it = streams_by_client_.find(bucket);
    return it == streams_by_client_.end() ? 0 : it->second;
}

}  // namespace admit::http
