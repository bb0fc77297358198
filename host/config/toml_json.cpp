#include "host/config/toml_json.hpp"

#include <boost/json.hpp>

#include <cmath>
#include <sstream>

namespace admit::config {
namespace {

template <typename Printable>
std::string printed(const Printable& value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

boost::json::value to_json_value(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: {
            boost::json::object object;
            for (const auto& [key, child] : *node.as_table())
                object[key.str()] = to_json_value(child);
            return object;
        }
        case toml::node_type::array: {
            boost::json::array array;
            for (const auto& element : *node.as_array()) array.push_back(to_json_value(element));
            return array;
        }
        case toml::node_type::string:
            return boost::json::string(node.as_string()->get());
        case toml::node_type::integer:
            return node.as_integer()->get();
        case toml::node_type::floating_point: {
            const double value = node.as_floating_point()->get();
            if (!std::isfinite(value)) return nullptr;
            return value;
        }
        case toml::node_type::boolean:
            return node.as_boolean()->get();
        case toml::node_type::date:
            return boost::json::string(printed(node.as_date()->get()));
        case toml::node_type::time:
            return boost::json::string(printed(node.as_time()->get()));
        case toml::node_type::date_time:
            return boost::json::string(printed(node.as_date_time()->get()));
        case toml::node_type::none:
            break;
    }
    return nullptr;
}

}  // namespace

std::string to_json(const toml::table& table) {
    return boost::json::serialize(to_json_value(table));
}

}  // namespace admit::config
