#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "host/observe/logging.hpp"
#include "host/observe/metrics_registry.hpp"
#include "host/observe/trace_id.hpp"

namespace admit::observe {
namespace {

bool contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

TEST(MetricsRegistry, RendersCountersAndGaugesWithHelpAndType) {
    MetricsRegistry registry;
    auto requests = registry.counter(
        "admit_http_requests_total", "Requests",
        {{"route", "/api/v1/halls/{hallId}"}, {"method", "GET"}, {"status", "200"}});
    ASSERT_TRUE(requests.ok());
    requests.value()->inc();
    requests.value()->inc(2);
    auto gauge = registry.gauge("admit_open", "Open things");
    ASSERT_TRUE(gauge.ok());
    gauge.value()->set(5);
    gauge.value()->dec();

    std::string text = registry.render_prometheus();
    EXPECT_TRUE(contains(
        text,
        "# HELP admit_http_requests_total Requests\n# TYPE admit_http_requests_total counter\n"));
    EXPECT_TRUE(contains(text,
                         "admit_http_requests_total{route=\"/api/v1/halls/"
                         "{hallId}\",method=\"GET\",status=\"200\"} 3\n"));
    EXPECT_TRUE(contains(text, "# TYPE admit_open gauge\nadmit_open 4\n"));
    // Families are sorted by name.
    EXPECT_LT(text.find("admit_http_requests_total"), text.find("admit_open"));
}

TEST(MetricsRegistry, SameNameAndLabelsReturnsTheSameSeries) {
    MetricsRegistry registry;
    auto first = registry.counter("c_total", "help", {{"k", "v"}});
    auto second = registry.counter("c_total", "help", {{"k", "v"}});
    auto other = registry.counter("c_total", "help", {{"k", "w"}});
    ASSERT_TRUE(first.ok() && second.ok() && other.ok());
    EXPECT_EQ(first.value(), second.value());
    EXPECT_NE(first.value(), other.value());
}

TEST(MetricsRegistry, RejectsConflictsAndBadNames) {
    MetricsRegistry registry;
    ASSERT_TRUE(registry.counter("c_total", "help", {{"k", "v"}}).ok());
    EXPECT_EQ(registry.gauge("c_total", "help", {{"k", "v"}}).error().code, "METRIC_CONFLICT");
    EXPECT_EQ(registry.counter("c_total", "help", {{"other", "v"}}).error().code,
              "METRIC_CONFLICT");
    EXPECT_EQ(registry.counter("9bad", "help").error().code, "METRIC_INVALID_NAME");
    EXPECT_EQ(registry.counter("ok_total", "help", {{"bad-label", "v"}}).error().code,
              "METRIC_INVALID_LABELS");
    EXPECT_EQ(registry.counter("ok_total", "help", {{"a", "1"}, {"a", "2"}}).error().code,
              "METRIC_INVALID_LABELS");
    EXPECT_EQ(registry.histogram("h", "help", {{"le", "1"}}).error().code, "METRIC_INVALID_LABELS");
    const double unsorted[] = {1.0, 0.5};
    EXPECT_EQ(registry.histogram("h2", "help", {}, unsorted).error().code,
              "METRIC_INVALID_BUCKETS");
}

TEST(MetricsRegistry, RendersHistogramBucketsSumAndCount) {
    MetricsRegistry registry;
    auto latency = registry.histogram("admit_latency_seconds", "Latency", {{"route", "/x"}});
    ASSERT_TRUE(latency.ok());
    latency.value()->observe(0.0003);
    latency.value()->observe(0.003);
    latency.value()->observe(20);
    std::string text = registry.render_prometheus();
    EXPECT_TRUE(contains(text, "# TYPE admit_latency_seconds histogram\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_bucket{route=\"/x\",le=\"0.0005\"} 1\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 2\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_bucket{route=\"/x\",le=\"10\"} 2\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_sum{route=\"/x\"} 20.0033\n"));
    EXPECT_TRUE(contains(text, "admit_latency_seconds_count{route=\"/x\"} 3\n"));
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
    MetricsRegistry registry;
    auto counter = registry.counter("e_total", "line1\nline2 \\", {{"v", "a\"b\\c\nd"}});
    ASSERT_TRUE(counter.ok());
    std::string text = registry.render_prometheus();
    EXPECT_TRUE(contains(text, "# HELP e_total line1\\nline2 \\\\\n"));
    EXPECT_TRUE(contains(text, "e_total{v=\"a\\\"b\\\\c\\nd\"} 0\n"));
}

TEST(MetricsRegistry, CountsExactlyUnderConcurrentRecording) {
    MetricsRegistry registry;
    Counter* counter = registry.counter("n_total", "n").value();
    Histogram* histogram = registry.histogram("n_seconds", "n").value();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) {
                counter->inc();
                histogram->observe(0.001);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(counter->value(), 40000.0);
    EXPECT_EQ(histogram->snapshot().count, 40000u);
}

TEST(MetricsRegistry, CounterAddsFractionsAndIgnoresNegatives) {
    Counter counter;
    counter.add(1.5);
    counter.add(-3);
    counter.add(2.25);
    EXPECT_DOUBLE_EQ(counter.value(), 3.75);
}

TEST(MetricLabels, ParsesRenderedLabelsFromPlugins) {
    auto parsed = parse_rendered_labels(R"(grade="VIP",zone="A \"north\"")");
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.value().size(), 2u);
    EXPECT_EQ(parsed.value()[0], (std::pair<std::string, std::string>{"grade", "VIP"}));
    EXPECT_EQ(parsed.value()[1].second, "A \"north\"");
    EXPECT_TRUE(parse_rendered_labels("").ok());
    for (const char* bad : {"grade=VIP", "grade=\"VIP", "grade=\"a\",", "=\"x\"", "a=\"1\",a=\"2\"",
                            "a=\"1\"b=\"2\""}) {
        EXPECT_FALSE(parse_rendered_labels(bad).ok()) << bad;
    }
}

TEST(TraceId, GeneratesDistinct32HexIds) {
    std::string a = generate_trace_id();
    std::string b = generate_trace_id();
    EXPECT_EQ(a.size(), 32u);
    EXPECT_NE(a, b);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_TRUE(parse_traceparent("00-" + a + "-00f067aa0ba902b7-01").has_value());
}

TEST(TraceId, ParsesW3CTraceparent) {
    EXPECT_EQ(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
              "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"),
              "4bf92f3577b34da6a3ce929d0e0e4736");
    for (const char* bad : {"", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}) {
        EXPECT_FALSE(parse_traceparent(bad).has_value()) << bad;
    }
}

TEST(TraceId, ResolvesTraceparentThenRequestIdThenGenerates) {
    EXPECT_EQ(resolve_trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "req-1"),
              "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_EQ(resolve_trace_id("broken", "req-1.A_b"), "req-1.A_b");
    EXPECT_EQ(resolve_trace_id("", std::string(128, 'x')), std::string(128, 'x'));
    EXPECT_EQ(resolve_trace_id("", std::string(129, 'x')).size(), 32u);
    EXPECT_EQ(resolve_trace_id("", "bad id").size(), 32u);
    EXPECT_EQ(resolve_trace_id("", "").size(), 32u);
    EXPECT_NE(resolve_trace_id("", "a/b"), "a/b");
}

TEST(Logging, RejectsUnknownLevelAndFormat) {
    EXPECT_EQ(configure_logging("loud", "text").error().code, "LOG_INVALID_LEVEL");
    EXPECT_EQ(configure_logging("info", "xml").error().code, "LOG_INVALID_FORMAT");
    EXPECT_TRUE(configure_logging("info", "json").ok());
    EXPECT_TRUE(configure_logging("warn", "text").ok());
}

TEST(Logging, JsonLinesCarryContextFields) {
    ASSERT_TRUE(configure_logging("info", "json").ok());
    ::testing::internal::CaptureStderr();
    {
        LogField trace("trace_id", "abc123");
        spdlog::info("hello \"world\"");
    }
    spdlog::info("after");
    spdlog::default_logger()->flush();
    std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(contains(out, R"("level":"info","msg":"hello \"world\"","trace_id":"abc123"})"
                              "\n"))
        << out;
    EXPECT_TRUE(contains(out, R"("msg":"after"})")) << out;
    EXPECT_TRUE(out.starts_with(R"({"ts":")")) << out;
    ASSERT_TRUE(configure_logging("warn", "text").ok());
}

TEST(Logging, TextLinesCannotBeForged) {
    ASSERT_TRUE(configure_logging("info", "text").ok());
    ::testing::internal::CaptureStderr();
    {
        LogField trace("trace_id", "abc\r\nFAKE");
        spdlog::info("GET /a\n2026-01-01T00:00:00.000Z ERROR forged\tx\x01\x7f\\");
    }
    spdlog::default_logger()->flush();
    std::string out = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_TRUE(
        out.ends_with(" INFO GET /a\\n2026-01-01T00:00:00.000Z ERROR forged\\tx\\x01\\x7f\\\\ "
                      "trace_id=abc\\r\\nFAKE\n"))
        << out;
    ASSERT_TRUE(configure_logging("warn", "text").ok());
}

TEST(Logging, EscapesJson) {
    std::string out;
    append_json_escaped(out, "a\"b\\c\nd\x01");
    EXPECT_EQ(out, "a\\\"b\\\\c\\nd\\u0001");
}

}  // namespace
}  // namespace admit::observe
