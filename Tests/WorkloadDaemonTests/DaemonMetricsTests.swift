import TestSupport
import Foundation
import Testing
@testable import WorkloadDaemon

@Suite("MetricsRegistry")
struct MetricsRegistryTests {
    @Test("counters, gauges and labels render and parse back")
    func roundTrip() throws {
        let registry = MetricsRegistry()
        let family = registry.counterFamily("test_requests_total", help: "Requests seen.", labelNames: ["kind", "code"])
        family.labels("get", "200").increment(by: 41)
        family.labels("get", "200").increment()
        family.labels(["post", "500"]).increment()
        let plain = registry.counter("test_plain_total", help: "Plain.")
        let gauge = registry.gauge("test_depth", help: "Depth.")
        gauge.set(17)
        gauge.add(0.25)
        let big = registry.gauge("test_big", help: "Big.")
        big.set(-.infinity)

        let text = registry.render()
        let parsed = try Exposition(parsing: text)
        #expect(parsed.types == ["test_requests_total": "counter", "test_plain_total": "counter",
                                 "test_depth": "gauge", "test_big": "gauge"])
        #expect(parsed.help["test_requests_total"] == "Requests seen.")
        #expect(parsed.value("test_requests_total", ["kind": "get", "code": "200"]) == 42)
        #expect(parsed.value("test_requests_total", ["kind": "post", "code": "500"]) == 1)
        #expect(parsed.value("test_plain_total") == 0)
        #expect(plain.value == 0)
        #expect(parsed.value("test_depth") == 17.25)
        #expect(parsed.value("test_big") == -.infinity)
        #expect(parsed.samples.count == 5)
        // Registration order is exposition order, header before samples.
        #expect(text.hasPrefix("# HELP test_requests_total Requests seen.\n# TYPE test_requests_total counter\n"
            + "test_requests_total{kind=\"get\",code=\"200\"} 42\n"))
    }

    @Test("label values escape quote, backslash and line feed; HELP escapes backslash and line feed")
    func escaping() throws {
        let registry = MetricsRegistry()
        let nasty = "say \"hi\"\\path\nnext line, {braces}=ok ü"
        registry.counterFamily("test_escape_total", help: "Back\\slash and\nnewline \"quoted\".", labelNames: ["v"])
            .labels(nasty).increment()

        let text = registry.render()
        #expect(text.contains(#"test_escape_total{v="say \"hi\"\\path\nnext line, {braces}=ok ü"} 1"#))
        #expect(text.contains(#"# HELP test_escape_total Back\\slash and\nnewline "quoted"."#))
        #expect(text.split(separator: "\n").count == 3)  // no raw newline leaked

        let parsed = try Exposition(parsing: text)
        #expect(parsed.value("test_escape_total", ["v": nasty]) == 1)
        #expect(parsed.help["test_escape_total"] == "Back\\slash and\nnewline \"quoted\".")
    }

    @Test("value formatting")
    func formatting() {
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(-0.5) == "-0.5")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(Double(PrometheusText.format(1e-7)) == 1e-7)
        #expect(Double(PrometheusText.format(1e300)) == 1e300)
    }

    @Test("names are checked")
    func names() {
        #expect(PrometheusText.isValidMetricName("llm_workload:rate_total"))
        #expect(!PrometheusText.isValidMetricName("9lives"))
        #expect(!PrometheusText.isValidMetricName("with-dash"))
        #expect(!PrometheusText.isValidMetricName(""))
        #expect(PrometheusText.isValidLabelName("profile"))
        #expect(!PrometheusText.isValidLabelName("__name__"))
        #expect(!PrometheusText.isValidLabelName("a:b"))
    }

    @Test("label sets beyond the cap fold into 'other'")
    func labelCap() throws {
        let registry = MetricsRegistry()
        let family = registry.counterFamily("test_capped_total", help: "Capped.", labelNames: ["error"], maxLabelSets: 2)
        family.labels("a").increment()
        family.labels("b").increment()
        family.labels("c").increment()
        family.labels("d").increment()
        family.labels("a").increment()
        let parsed = try Exposition(parsing: registry.render())
        #expect(parsed.value("test_capped_total", ["error": "a"]) == 2)
        #expect(parsed.value("test_capped_total", ["error": "b"]) == 1)
        #expect(parsed.value("test_capped_total", ["error": "other"]) == 2)
        #expect(parsed.samples.count == 3)
    }

    @Test("counters and gauges are exact under concurrent updates")
    func concurrency() {
        let registry = MetricsRegistry()
        let counter = registry.counter("test_concurrent_total", help: "c")
        let gauge = registry.gauge("test_concurrent", help: "g")
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50_000 {
                counter.increment()
                gauge.increment()
            }
            for _ in 0..<20_000 { gauge.decrement() }
            _ = registry.render()
        }
        #expect(counter.value == 200_000)
        #expect(gauge.value == 120_000)
    }
}

@Suite("Lateness summary")
struct LatencySummaryTests {
    @Test("log buckets tile the range with at most 1/16 relative width")
    func buckets() {
        #expect(LogBucketing.count == 976)
        #expect(LogBucketing.index(of: 0) == 0)
        #expect(LogBucketing.index(of: .max) == LogBucketing.count - 1)
        #expect(LogBucketing.upperBound(of: LogBucketing.count - 1) == .max)
        for i in 0..<LogBucketing.count {
            let low = LogBucketing.lowerBound(of: i)
            let high = LogBucketing.upperBound(of: i)
            #expect(LogBucketing.index(of: low) == i)
            #expect(LogBucketing.index(of: high) == i)
            if i + 1 < LogBucketing.count {
                #expect(high + 1 == LogBucketing.lowerBound(of: i + 1))
            }
            if low >= 16 {
                #expect(Double(high - low + 1) <= Double(low) / 16)
            }
        }
        var rng = SystemRandomNumberGenerator()  // test-only, any value must land correctly
        for _ in 0..<10_000 {
            let value = UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            let i = LogBucketing.index(of: value)
            #expect(LogBucketing.lowerBound(of: i) <= value && value <= LogBucketing.upperBound(of: i))
        }
    }

    @Test("quantiles within bucket error, never below the truth, never above the max")
    func quantiles() throws {
        let clock = ManualClock(now: 1_000_000_000_000)
        let registry = MetricsRegistry()
        let summary = registry.latencySummary("test_lateness_seconds", help: "Lateness.", clock: clock)
        // 1 ms, 2 ms, ..., 1000 ms, recorded in reverse (order must not matter).
        for k in (1...1_000).reversed() { summary.record(nanoseconds: UInt64(k) * 1_000_000) }

        let view = summary.snapshot()
        #expect(view.count == 1_000)
        #expect(view.sumNanoseconds == 500_500 * 1_000_000)
        let truth: [Double: UInt64] = [0.5: 500_000_000, 0.99: 990_000_000, 0.999: 999_000_000]
        for (q, value) in view.quantiles {
            let exact = try #require(truth[q])
            let estimate = try #require(value)
            #expect(estimate >= exact)
            #expect(Double(estimate) <= Double(exact) * (1 + 1.0 / 16))
            #expect(estimate <= 1_000_000_000)
        }

        let parsed = try Exposition(parsing: registry.render())
        #expect(parsed.types["test_lateness_seconds"] == "summary")
        #expect(parsed.value("test_lateness_seconds_count") == 1_000)
        #expect(parsed.value("test_lateness_seconds_sum") == 500.5)
        for q in ["0.5", "0.99", "0.999"] {
            let seconds = try #require(parsed.value("test_lateness_seconds", ["quantile": q]))
            let exact = Double(q)!
            #expect(seconds >= exact && seconds <= exact * (1 + 1.0 / 16))
        }
        #expect(parsed.samples.count == 5)
    }

    @Test("the window forgets old recordings; sum and count do not")
    func window() throws {
        let start: UInt64 = 10_000_000_000_000
        let clock = ManualClock(now: start)
        let registry = MetricsRegistry()
        let summary = registry.latencySummary("test_window_seconds", help: "w", quantiles: [0.5],
                                              window: .seconds(300), slices: 5, clock: clock)
        // Empty window: NaN, as Prometheus client libraries report.
        #expect(try Exposition(parsing: registry.render()).value("test_window_seconds", ["quantile": "0.5"])?.isNaN == true)

        for _ in 0..<100 { summary.record(nanoseconds: 5_000_000_000) }  // a bad spell: 5 s late
        clock.advance(by: 120_000_000_000)
        for _ in 0..<10 { summary.record(nanoseconds: 1_000) }
        // Both within the window: the median is the bad spell.
        #expect(summary.snapshot().quantiles[0].nanoseconds! >= 5_000_000_000)

        clock.advance(by: 240_000_000_000)  // the bad spell is now 6 min old
        let later = summary.snapshot()
        #expect(later.quantiles[0].nanoseconds == 1_000)
        #expect(later.count == 110)

        clock.advance(by: 600_000_000_000)
        #expect(summary.snapshot().quantiles[0].nanoseconds == nil)
        // Recording on an old slot reuses it cleanly.
        summary.record(nanoseconds: 7)
        #expect(summary.snapshot().quantiles[0].nanoseconds == 7)
        #expect(summary.snapshot().count == 111)
    }
}

@Suite("DaemonMetrics")
struct DaemonMetricsTests {
    @Test("exports the daemon's metrics with bounded labels, all series from the start")
    func daemonMetrics() throws {
        let clock = ManualClock(now: 1_000_000_000)
        let metrics = DaemonMetrics(profiles: ["interactive_chat", "batch \"bulk\""],
                                    topics: ["llm.requests", "llm.sessions"],
                                    version: "1.2.3", clock: clock)
        let initial = try Exposition(parsing: metrics.render())
        for type in DaemonMetrics.defaultEventTypes {
            for profile in metrics.profiles {
                #expect(initial.value("llm_workload_events_generated_total", ["type": type, "profile": profile]) == 0)
            }
        }
        #expect(initial.value("llm_workload_events_published_total", ["topic": "llm.sessions"]) == 0)
        #expect(initial.value("llm_workload_up") == 1)
        #expect(initial.value("llm_workload_build_info", ["version": "1.2.3"]) == 1)

        metrics.eventGenerated(typeIndex: 0, profileIndex: 1)
        metrics.eventGenerated(typeIndex: 0, profileIndex: 1)
        metrics.generatedCounter(typeIndex: 2, profileIndex: 0).increment()
        metrics.eventsPublished(topicIndex: 0, count: 10)
        metrics.eventsPublished(topicIndex: 1)
        metrics.deliveryFailed(error: "_MSG_TIMED_OUT")
        metrics.deliveryFailed(error: "_MSG_TIMED_OUT")
        metrics.producerQueueDepth.set(1234)
        metrics.activeSessions.increment()
        metrics.activeSessions.increment()
        metrics.activeSessions.decrement()
        metrics.virtualTimeSeconds.set(12.5)
        metrics.pacingLateness.record(nanoseconds: 250_000)
        metrics.up.set(0)

        let parsed = try Exposition(parsing: metrics.render())
        #expect(parsed.value("llm_workload_events_generated_total", ["type": "request", "profile": "batch \"bulk\""]) == 2)
        #expect(parsed.value("llm_workload_events_generated_total", ["type": "session_ended", "profile": "interactive_chat"]) == 1)
        #expect(parsed.value("llm_workload_events_generated_total", ["type": "request", "profile": "interactive_chat"]) == 0)
        #expect(parsed.value("llm_workload_events_published_total", ["topic": "llm.requests"]) == 10)
        #expect(parsed.value("llm_workload_events_published_total", ["topic": "llm.sessions"]) == 1)
        #expect(parsed.value("llm_workload_delivery_failures_total", ["error": "_MSG_TIMED_OUT"]) == 2)
        #expect(parsed.value("llm_workload_producer_queue_depth") == 1234)
        #expect(parsed.value("llm_workload_active_sessions") == 1)
        #expect(parsed.value("llm_workload_virtual_time_seconds") == 12.5)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_count") == 1)
        // A histogram: 250 µs lies above the 0.0001 bound and at or below 0.00025.
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "0.0001"]) == 0)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "0.00025"]) == 1)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "+Inf"]) == 1)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_sum") == 0.00025)
        #expect(parsed.value("llm_workload_up") == 0)

        #expect(parsed.types == [
            "llm_workload_up": "gauge",
            "llm_workload_build_info": "gauge",
            "llm_workload_events_generated_total": "counter",
            "llm_workload_events_published_total": "counter",
            "llm_workload_delivery_failures_total": "counter",
            "llm_workload_producer_queue_depth": "gauge",
            "llm_workload_active_sessions": "gauge",
            "llm_workload_virtual_time_seconds": "gauge",
            "llm_workload_pacing_lateness_seconds": "histogram",
            "llm_workload_watermark_records_total": "counter",
        ])
        for (name, type) in parsed.types where type == "counter" {
            #expect(name.hasSuffix("_total"))
        }
        // Every sample belongs to a declared family, and every family has HELP.
        for sample in parsed.samples {
            let family = sample.name.replacingOccurrences(of: "_sum", with: "").replacingOccurrences(of: "_count", with: "")
                .replacingOccurrences(of: "_bucket", with: "")
            #expect(parsed.types[family] != nil, "undeclared \(sample.name)")
        }
        #expect(Set(parsed.help.keys) == Set(parsed.types.keys))
    }
}
