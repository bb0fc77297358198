// Router<T>: maps (method, path) to a value through path templates such as
// "/api/v1/halls/{hallId}/stages". A segment tree: literal segments beat parameters, matching
// walks the path once (backtracking only when a literal branch dead-ends) and allocates nothing
// but the params vector (and the Allow text of a 405).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/common/result.hpp"
#include "host/http/request.hpp"

namespace admit::http {

enum class MatchOutcome { found, not_found, method_not_allowed };

template <typename T>
struct RouteMatch {
    MatchOutcome outcome = MatchOutcome::not_found;
    const T* value = nullptr;        // set when found; owned by the router
    std::string_view path_template;  // set when found; owned by the router
    std::vector<PathParam> params;   // names owned by the router, values view the matched path
    std::string allow;               // method_not_allowed: "GET, POST" for the Allow header
};

namespace detail {

struct TemplateSegment {
    std::string text;  // literal text, or the parameter name
    bool is_param = false;
};

// Validates and splits a template: starts with '/', non-empty segments of URL path characters
// (no '?', '#', '%', '{', '}' in literals), parameters written as a whole segment "{name}" with
// name [A-Za-z_][A-Za-z0-9_]*, no parameter name twice. "/" alone is the root.
// Error code: ROUTE_INVALID_TEMPLATE.
Result<std::vector<TemplateSegment>> parse_path_template(std::string_view path_template);

// True for a method token of upper-case letters (GET, POST, ...).
bool is_valid_method(std::string_view method);

}  // namespace detail

// Not thread-safe to add; match() is safe from many threads once adding is done.
template <typename T>
class Router {
  public:
    // Errors: ROUTE_INVALID_TEMPLATE, ROUTE_INVALID_METHOD, ROUTE_DUPLICATE (same method and the
    // same template shape, parameter names aside).
    Status add(std::string_view method, std::string_view path_template, T value) {
        if (!detail::is_valid_method(method)) {
            return Error{ErrorCode::ROUTE_INVALID_METHOD,
                         "invalid HTTP method '" + std::string(method) + "'"};
        }
        auto segments = detail::parse_path_template(path_template);
        if (!segments) return segments.error();
        Node* node = &root_;
        std::vector<std::string> param_names;
        for (auto& segment : segments.value()) {
            if (segment.is_param) {
                if (!node->param) node->param = std::make_unique<Node>();
                node = node->param.get();
                param_names.push_back(std::move(segment.text));
                continue;
            }
            Node* next = nullptr;
            for (auto& [text, child] : node->literals) {
                if (text == segment.text) next = child.get();
            }
            if (!next) {
                node->literals.emplace_back(std::move(segment.text), std::make_unique<Node>());
                next = node->literals.back().second.get();
            }
            node = next;
        }
        for (const auto& endpoint : node->endpoints) {
            if (endpoint.method == method) {
                return Error{ErrorCode::ROUTE_DUPLICATE, std::string(method) + " " +
                                                             std::string(path_template) +
                                                             " conflicts with " + endpoint.method +
                                                             " " + endpoint.path_template};
            }
        }
        node->endpoints.push_back(Endpoint{std::string(method), std::string(path_template),
                                           std::move(param_names), std::move(value)});
        return {};
    }

    RouteMatch<T> match(std::string_view method, std::string_view path) const {
        RouteMatch<T> result;
        if (path.empty() || path.front() != '/') return result;
        path.remove_prefix(1);
        const Endpoint* endpoint = walk(root_, path, method, result);
        if (endpoint) {
            result.outcome = MatchOutcome::found;
            result.value = &endpoint->value;
            result.path_template = endpoint->path_template;
            for (std::size_t i = 0; i < result.params.size(); ++i)
                result.params[i].name = endpoint->param_names[i];
            result.allow.clear();
        } else {
            result.params.clear();
            if (!result.allow.empty()) result.outcome = MatchOutcome::method_not_allowed;
        }
        return result;
    }

  private:
    struct Endpoint {
        std::string method;
        std::string path_template;
        std::vector<std::string> param_names;
        T value;
    };
    struct Node {
        std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
        std::unique_ptr<Node> param;
        std::vector<Endpoint> endpoints;
    };

    // `rest`: the segments still to match, '/'-separated, no leading '/'; empty at the path's end.
    static const Endpoint* walk(const Node& node, std::string_view rest, std::string_view method,
                                RouteMatch<T>& result) {
        if (rest.empty()) return at_node(node, method, result);
        std::size_t slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        if (segment.empty()) return nullptr;  // "//"
        std::string_view after;
        if (slash != std::string_view::npos) {
            after = rest.substr(slash + 1);
            if (after.empty()) return nullptr;  // a trailing '/' matches no template
        }
        for (const auto& [text, child] : node.literals) {
            if (text == segment) {
                if (const Endpoint* found = walk(*child, after, method, result)) return found;
                break;
            }
        }
        if (node.param) {
            result.params.push_back(PathParam{{}, segment});
            if (const Endpoint* found = walk(*node.param, after, method, result)) return found;
            result.params.pop_back();
        }
        return nullptr;
    }

    static const Endpoint* at_node(const Node& node, std::string_view method,
                                   RouteMatch<T>& result) {
        for (const auto& endpoint : node.endpoints) {
            if (endpoint.method == method) return &endpoint;
        }
        // Every GET route answers HEAD (RFC 9110 9.3.2) unless HEAD has a route of its own.
        if (method == "HEAD") {
            for (const auto& endpoint : node.endpoints) {
                if (endpoint.method == "GET") return &endpoint;
            }
        }
        auto allow = [&result](std::string_view name) {
            if (result.allow.find(name) != std::string::npos) return;
            if (!result.allow.empty()) result.allow += ", ";
            result.allow += name;
        };
        for (const auto& endpoint : node.endpoints) {
            allow(endpoint.method);
            if (endpoint.method == "GET") allow("HEAD");
        }
        return nullptr;
    }

    Node root_;
};

}  // namespace admit::http
