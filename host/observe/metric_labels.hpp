// Label sets of metric series: building, validating and rendering them in Prometheus syntax.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "host/common/result.hpp"

namespace admit::observe {

// Label name/value pairs in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

// True for a valid metric name: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool is_valid_metric_name(std::string_view name);

// True for a valid label name: [a-zA-Z_][a-zA-Z0-9_]* not starting with "__".
bool is_valid_label_name(std::string_view name);

// Renders `a="x",b="y"` (values escaped per the exposition format). Fails on a bad or repeated
// label name. An empty set renders as "".
Result<std::string> render_labels(const Labels& labels);

// Parses an already rendered label set (`grade="VIP",zone="A"`, may be empty) into pairs,
// unescaping values. Fails with METRIC_INVALID_LABELS when the text is not in that syntax.
Result<Labels> parse_rendered_labels(std::string_view text);

// Appends `text` escaped for a label value (\\, \", \n).
void append_escaped_label_value(std::string& out, std::string_view text);

}  // namespace admit::observe
