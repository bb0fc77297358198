#include "host/admin/api_reference_page.hpp"

#include <cctype>
#include <map>
#include <tuple>
#include <vector>

#include <boost/json.hpp>

namespace admit::runtime {

namespace {

void escape_into(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
}

std::string escaped(std::string_view text) {
    std::string out;
    escape_into(out, text);
    return out;
}

std::string text_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr) return {};
    if (v->is_string()) return std::string(v->get_string());
    return boost::json::serialize(*v);
}

// Pretty-prints JSON with two-space indents (boost::json::serialize has no pretty mode).
void pretty_into(std::string& out, const boost::json::value& v, int depth) {
    const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
    const std::string inner(static_cast<std::size_t>(depth + 1) * 2, ' ');
    if (v.is_object() && !v.get_object().empty()) {
        out += "{\n";
        bool first = true;
        for (const auto& [key, value] : v.get_object()) {
            if (!first) out += ",\n";
            first = false;
            out += inner;
            out += boost::json::serialize(boost::json::value(key));
            out += ": ";
            pretty_into(out, value, depth + 1);
        }
        out += "\n" + indent + "}";
    } else if (v.is_array() && !v.get_array().empty()) {
        out += "[\n";
        bool first = true;
        for (const auto& value : v.get_array()) {
            if (!first) out += ",\n";
            first = false;
            out += inner;
            pretty_into(out, value, depth + 1);
        }
        out += "\n" + indent + "]";
    } else {
        out += boost::json::serialize(v);
    }
}

void schema_block(std::string& out, const boost::json::value& schema) {
    std::string text;
    pretty_into(text, schema, 0);
    out += "<pre>";
    escape_into(out, text);
    out += "</pre>\n";
}

void parameters_table(std::string& out, const boost::json::array& parameters) {
    out +=
        "<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th>"
        "<th>description</th></tr>\n";
    for (const auto& p : parameters) {
        const auto& o = p.as_object();
        out += "<tr><td><code>" + escaped(text_of(o, "name")) + "</code></td><td>" +
               escaped(text_of(o, "in")) + "</td><td>" + escaped(text_of(o, "required")) +
               "</td><td><code>";
        if (const auto* schema = o.if_contains("schema"))
            escape_into(out, boost::json::serialize(*schema));
        out += "</code></td><td>" + escaped(text_of(o, "description")) + "</td></tr>\n";
    }
    out += "</table>\n";
}

void responses_section(std::string& out, const boost::json::object& responses) {
    out += "<h4>Responses</h4>\n<dl>\n";
    for (const auto& [status, response] : responses) {
        const auto& r = response.as_object();
        out += "<dt>" + escaped(status) + "</dt><dd>" + escaped(text_of(r, "description"));
        const auto* content = r.if_contains("content");
        const std::string_view status_text(status);
        if (content != nullptr && content->is_object() && status_text.starts_with('2')) {
            for (const auto& [media, body] : content->get_object()) {
                out += "<div class=media>" + escaped(media) + "</div>";
                if (const auto* schema = body.as_object().if_contains("schema"))
                    schema_block(out, *schema);
            }
        }
        out += "</dd>\n";
    }
    out += "</dl>\n";
}

void operation_section(std::string& out, std::string_view method, std::string_view path,
                       const boost::json::object& op) {
    const std::string id = text_of(op, "operationId");
    out += "<section class=op id=\"" + escaped(id) + "\">\n<h3><span class=method>" +
           escaped(method) + "</span> <code>" + escaped(path) + "</code></h3>\n";
    out += "<p>" + escaped(text_of(op, "summary")) + "</p>\n<p class=meta>operationId <code>" +
           escaped(id) + "</code>. " + escaped(text_of(op, "description")) + "</p>\n";
    if (const auto* parameters = op.if_contains("parameters"); parameters && parameters->is_array())
        parameters_table(out, parameters->get_array());
    if (const auto* body = op.if_contains("requestBody")) {
        out += "<h4>Request body (application/json)</h4>\n";
        const auto* schema = body->as_object()
                                 .at("content")
                                 .as_object()
                                 .at("application/json")
                                 .as_object()
                                 .if_contains("schema");
        if (schema != nullptr) schema_block(out, *schema);
    }
    if (const auto* responses = op.if_contains("responses"); responses && responses->is_object())
        responses_section(out, responses->get_object());
    out += "</section>\n";
}

constexpr std::string_view kStyle =
    "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}code,pre{font-family:ui-monospace,monospace}pre{background:#f4f4f4;"
    "padding:.5rem;overflow:auto;font-size:.85rem}table{border-collapse:collapse;margin:.5rem 0}"
    "td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}"
    ".method{display:inline-block;min-width:4rem;font-weight:bold}.meta{color:#555}"
    ".op{border-top:1px solid #ddd;padding-top:.5rem}nav li{margin:.1rem 0}"
    ".media{color:#555;font-size:.85rem}";

}  // namespace

std::string render_api_reference(std::string_view openapi_json) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(openapi_json, ec);
    std::string out =
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content=\"width=device-width, initial-scale=1\">";
    if (ec || !doc.is_object()) {
        return out +
               "<title>API reference</title></head><body><p>The OpenAPI document could not "
               "be read.</p></body></html>\n";
    }
    const auto& root = doc.get_object();
    const auto& info = root.at("info").as_object();
    const std::string title = text_of(info, "title") + " API reference";
    out += "<title>" + escaped(title) + "</title><style>" + std::string(kStyle) +
           "</style></head><body>\n<h1>" + escaped(title) + "</h1>\n<p>" +
           escaped(text_of(info, "description")) + " Version " + escaped(text_of(info, "version")) +
           ". Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>.</p>\n";

    // Operations grouped by tag (plugin), in document order.
    std::map<std::string,
             std::vector<std::tuple<std::string, std::string, const boost::json::object*>>>
        by_tag;
    for (const auto& [path, item] : root.at("paths").as_object()) {
        for (const auto& [method, op] : item.as_object()) {
            const auto& o = op.as_object();
            std::string tag = "other";
            if (const auto* tags = o.if_contains("tags");
                tags && tags->is_array() && !tags->get_array().empty())
                tag = std::string(tags->get_array().front().as_string());
            std::string upper(method);
            for (auto& c : upper)
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            by_tag[tag].emplace_back(std::move(upper), std::string(path), &o);
        }
    }
    out += "<nav><h2>Contents</h2><ul>\n";
    for (const auto& [tag, ops] : by_tag) {
        out += "<li>" + escaped(tag) + "<ul>";
        for (const auto& [method, path, op] : ops) {
            out += "<li><a href=\"#" + escaped(text_of(*op, "operationId")) + "\">" +
                   escaped(method) + " " + escaped(path) + "</a></li>";
        }
        out += "</ul></li>\n";
    }
    out += "</ul></nav>\n";
    for (const auto& [tag, ops] : by_tag) {
        out += "<h2>" + escaped(tag) + "</h2>\n";
        for (const auto& [method, path, op] : ops) operation_section(out, method, path, *op);
    }
    out += "</body></html>\n";
    return out;
}

}  // namespace admit::runtime
