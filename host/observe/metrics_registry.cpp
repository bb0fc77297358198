#include "host/observe/metrics_registry.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

namespace admit::observe {

struct MetricsRegistry::Series {
    std::string rendered_labels;  // `a="x",b="y"` or empty
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
};

struct MetricsRegistry::Family {
    MetricKind kind;
    std::string name;
    std::string help;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    std::vector<std::unique_ptr<Series>> series;
    std::map<std::string, Series*, std::less<>> by_labels;
};

namespace {

const char* kind_name(MetricKind kind) {
    switch (kind) {
        case MetricKind::counter:
            return "counter";
        case MetricKind::gauge:
            return "gauge";
        case MetricKind::histogram:
            return "histogram";
    }
    return "untyped";
}

void append_number(std::string& out, double value) {
    if (std::isnan(value))
        out += "NaN";
    else if (std::isinf(value))
        out += value > 0 ? "+Inf" : "-Inf";
    else
        fmt::format_to(std::back_inserter(out), "{}", value);
}

void append_help(std::string& out, std::string_view help) {
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
}

// Writes `name{labels[,extra]}` ; `extra` is an already rendered label such as `le="0.5"`.
void append_sample_name(std::string& out, std::string_view name, std::string_view labels,
                        std::string_view extra = {}) {
    out += name;
    if (labels.empty() && extra.empty()) return;
    out += '{';
    out += labels;
    if (!labels.empty() && !extra.empty()) out += ',';
    out += extra;
    out += '}';
}

void render_series(std::string& out, const std::string& name, const std::string& labels,
                   const Histogram& histogram) {
    auto snap = histogram.snapshot();
    auto bounds = histogram.bounds();
    std::string le;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
        le = "le=\"";
        if (i < bounds.size())
            append_number(le, bounds[i]);
        else
            le += "+Inf";
        le += '"';
        append_sample_name(out, name + "_bucket", labels, le);
        fmt::format_to(std::back_inserter(out), " {}\n", snap.cumulative_counts[i]);
    }
    append_sample_name(out, name + "_sum", labels);
    out += ' ';
    append_number(out, snap.sum);
    out += '\n';
    append_sample_name(out, name + "_count", labels);
    fmt::format_to(std::back_inserter(out), " {}\n", snap.count);
}

}  // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

Result<MetricsRegistry::Series*> MetricsRegistry::find_or_add(MetricKind kind,
                                                              std::string_view name,
                                                              std::string_view help,
                                                              const Labels& labels,
                                                              std::span<const double> bounds) {
    if (!is_valid_metric_name(name)) {
        return Error{ErrorCode::METRIC_INVALID_NAME,
                     "invalid metric name '" + std::string(name) + "'"};
    }
    auto rendered = render_labels(labels);
    if (!rendered) return rendered.error();
    for (const auto& [label, value] : labels) {
        if (kind == MetricKind::histogram && label == "le") {
            return Error{ErrorCode::METRIC_INVALID_LABELS,
                         "histogram " + std::string(name) + " may not use label 'le'"};
        }
    }
    if (kind == MetricKind::histogram) {
        if (bounds.empty()) bounds = default_latency_buckets();
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                return Error{ErrorCode::METRIC_INVALID_BUCKETS,
                             "buckets of " + std::string(name) + " must be finite and ascending"};
            }
        }
    }

    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) {
        auto family = std::make_unique<Family>();
        family->kind = kind;
        family->name = std::string(name);
        family->help = std::string(help);
        for (const auto& label : labels) family->label_names.push_back(label.first);
        if (kind == MetricKind::histogram) family->bounds.assign(bounds.begin(), bounds.end());
        it = families_.emplace(family->name, std::move(family)).first;
    }
    Family& family = *it->second;
    if (family.kind != kind) {
        return Error{ErrorCode::METRIC_CONFLICT,
                     "metric " + family.name + " is already a " + kind_name(family.kind)};
    }
    bool same_names =
        family.label_names.size() == labels.size() &&
        std::equal(labels.begin(), labels.end(), family.label_names.begin(),
                   [](const auto& label, const std::string& n) { return label.first == n; });
    if (!same_names) {
        return Error{ErrorCode::METRIC_CONFLICT,
                     "metric " + family.name + " was registered with other label names"};
    }
    if (kind == MetricKind::histogram &&
        !std::equal(bounds.begin(), bounds.end(), family.bounds.begin(), family.bounds.end())) {
        return Error{ErrorCode::METRIC_CONFLICT,
                     "histogram " + family.name + " was registered with other buckets"};
    }
    if (auto found = family.by_labels.find(rendered.value()); found != family.by_labels.end()) {
        return found->second;
    }
    auto series = std::make_unique<Series>();
    series->rendered_labels = std::move(rendered.value());
    switch (kind) {
        case MetricKind::counter:
            series->counter = std::make_unique<Counter>();
            break;
        case MetricKind::gauge:
            series->gauge = std::make_unique<Gauge>();
            break;
        case MetricKind::histogram:
            series->histogram = std::make_unique<Histogram>(family.bounds);
            break;
    }
    Series* raw = series.get();
    family.by_labels.emplace(raw->rendered_labels, raw);
    family.series.push_back(std::move(series));
    return raw;
}

Result<Counter*> MetricsRegistry::counter(std::string_view name, std::string_view help,
                                          const Labels& labels) {
    auto series = find_or_add(MetricKind::counter, name, help, labels, {});
    if (!series) return series.error();
    return series.value()->counter.get();
}

Result<Gauge*> MetricsRegistry::gauge(std::string_view name, std::string_view help,
                                      const Labels& labels) {
    auto series = find_or_add(MetricKind::gauge, name, help, labels, {});
    if (!series) return series.error();
    return series.value()->gauge.get();
}

Result<Histogram*> MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                              const Labels& labels,
                                              std::span<const double> bounds) {
    auto series = find_or_add(MetricKind::histogram, name, help, labels, bounds);
    if (!series) return series.error();
    return series.value()->histogram.get();
}

std::string MetricsRegistry::render_prometheus() const {
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        out += "# HELP ";
        out += name;
        out += ' ';
        append_help(out, family->help);
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += kind_name(family->kind);
        out += '\n';
        for (const auto& series : family->series) {
            if (series->histogram) {
                render_series(out, name, series->rendered_labels, *series->histogram);
                continue;
            }
            append_sample_name(out, name, series->rendered_labels);
            out += ' ';
            append_number(out, series->counter ? series->counter->value() : series->gauge->value());
            out += '\n';
        }
    }
    return out;
}

}  // namespace admit::observe
