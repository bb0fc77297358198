#include "host/policy/abi_policy_eval.hpp"

#include <exception>
#include <string_view>

namespace admit::policy {
namespace {

void write(admit_sink* sink, std::string_view text) {
    if (sink != nullptr && sink->write != nullptr) sink->write(sink->ctx, text.data(), text.size());
}

std::string_view view(admit_str s) {
    return s.ptr == nullptr ? std::string_view{} : std::string_view(s.ptr, s.len);
}

}  // namespace

admit_status evaluate_for_plugin(PolicyEngine& engine, admit_str name, admit_str input,
                                 admit_sink* decision, admit_sink* revision,
                                 admit_sink* error) noexcept {
    try {
        Result<Decision> result = engine.evaluate(view(name), view(input));
        if (!result.ok()) {
            write(error, result.error().message);
            if (result.error().code == ErrorCode::POLICY_NOT_FOUND) return ADMIT_E_NOT_FOUND;
            if (result.error().code == ErrorCode::POLICY_BAD_INPUT) return ADMIT_E_INVALID_ARGUMENT;
            return ADMIT_E_INTERNAL;
        }
        write(decision, result.value().json);
        write(revision, result.value().revision);
        return ADMIT_OK;
    } catch (const std::exception& e) {
        write(error, e.what());
    } catch (...) {
        write(error, "policy evaluation failed");
    }
    return ADMIT_E_INTERNAL;
}

}  // namespace admit::policy
