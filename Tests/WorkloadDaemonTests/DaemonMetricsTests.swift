import TestSupport
import Foundation
import Testing
@testable import WorkloadDaemon

@Suite("DaemonMetrics")
struct DaemonMetricsTests {
    @Test("exports the daemon's metrics with bounded labels, all series from the start")
    func daemonMetrics() throws {
        let metrics = DaemonMetrics(profiles: ["interactive_chat", "batch \"bulk\""],
                                    topics: ["llm.requests", "llm.sessions"],
                                    version: "1.2.3")
        let initial = try Exposition(parsing: metrics.render())
        for type in DaemonMetrics.defaultEventTypes {
            for profile in metrics.profiles {
                #expect(initial.value("llm_workload_events_generated_total", ["type": type, "profile": profile]) == 0)
            }
        }
        #expect(initial.value("llm_workload_events_published_total", ["topic": "llm.sessions"]) == 0)
        #expect(initial.value("llm_workload_up") == 1)
        #expect(initial.value("llm_workload_build_info", ["version": "1.2.3"]) == 1)
        // Declared before the first failure, so the dashboard's query has a family to find.
        #expect(initial.types["llm_workload_delivery_failures_total"] == "counter")
        #expect(initial.help["llm_workload_delivery_failures_total"] != nil)
        #expect(!initial.samples.contains { $0.name == "llm_workload_delivery_failures_total" })

        metrics.eventGenerated(typeIndex: 0, profileIndex: 1)
        metrics.eventGenerated(typeIndex: 0, profileIndex: 1)
        metrics.eventGenerated(typeIndex: 2, profileIndex: 0)
        metrics.eventsPublished(topicIndex: 0, count: 10)
        metrics.eventsPublished(topicIndex: 1)
        metrics.deliveryFailed(error: "_MSG_TIMED_OUT")
        metrics.deliveryFailed(error: "_MSG_TIMED_OUT")
        metrics.producerQueueDepth.set(1234)
        metrics.activeSessions.increment()
        metrics.activeSessions.increment()
        metrics.activeSessions.decrement()
        metrics.virtualTimeSeconds.set(12.5)
        metrics.recordLateness(nanoseconds: 250_000)
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

    @Test("the lateness histogram keeps its 19 bounds, 10 us to 10 s, and counts each value once")
    func latenessBuckets() throws {
        let metrics = DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v")
        let values: [UInt64] = [0, 10_000, 10_001, 999_999, 1_000_000, 7_000_000_000, 20_000_000_000]
        for value in values { metrics.recordLateness(nanoseconds: value) }
        let parsed = try Exposition(parsing: metrics.render())
        let buckets = parsed.samples.filter { $0.name == "llm_workload_pacing_lateness_seconds_bucket" }
        let bounds = buckets.compactMap { $0.labels["le"] }.filter { $0 != "+Inf" }.compactMap(Double.init)
        #expect(bounds == DaemonMetrics.latenessBoundsSeconds)
        // Cumulative: le is an upper bound, inclusive.
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "1e-05"]) == 2)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "0.001"]) == 5)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "10.0"]) == 6)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_bucket", ["le": "+Inf"]) == 7)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_count") == 7)
        let sum = try #require(parsed.value("llm_workload_pacing_lateness_seconds_sum"))
        #expect(abs(sum - Double(values.reduce(0, +)) / 1e9) < 1e-9)
    }

    @Test("delivery failure labels beyond the cap fold into 'other'")
    func failureLabelCap() throws {
        let metrics = DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v")
        let cap = DaemonMetrics.maxFailureLabels
        for i in 0..<(cap + 10) { metrics.deliveryFailed(error: "E\(i)") }
        metrics.deliveryFailed(error: "E0", count: 2)
        metrics.deliveryFailed(error: "E\(cap + 20)")
        let parsed = try Exposition(parsing: metrics.render())
        let series = parsed.samples.filter { $0.name == "llm_workload_delivery_failures_total" }
        #expect(series.count == cap + 1)
        #expect(parsed.value("llm_workload_delivery_failures_total", ["error": "E0"]) == 3)
        #expect(parsed.value("llm_workload_delivery_failures_total", ["error": "other"]) == 11)
        #expect(series.reduce(0) { $0 + $1.value } == Double(cap + 13))
    }

    @Test("counters, gauges and the histogram are exact under concurrent updates and scrapes")
    func concurrency() throws {
        let metrics = DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v")
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for i in 0..<20_000 {
                metrics.eventGenerated(typeIndex: 0, profileIndex: 0)
                metrics.activeSessions.increment()
                metrics.recordLateness(nanoseconds: UInt64(i))
            }
            for _ in 0..<5_000 { metrics.activeSessions.decrement() }
            _ = metrics.render()
        }
        let parsed = try Exposition(parsing: metrics.render())
        #expect(parsed.value("llm_workload_events_generated_total", ["type": "request", "profile": "p"]) == 80_000)
        #expect(parsed.value("llm_workload_active_sessions") == 60_000)
        #expect(parsed.value("llm_workload_pacing_lateness_seconds_count") == 80_000)
    }

    @Test("with feedback: the closed loop's families, every series from the start at 0; without it, none")
    func feedbackFamilies() throws {
        let plain = try Exposition(parsing: DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v").render())
        #expect(!plain.types.keys.contains { $0.hasPrefix("llm_workload_feedback_") })
        let metrics = DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v", feedback: true)
        let loop = try #require(metrics.feedback)
        let initial = try Exposition(parsing: metrics.render())
        #expect(initial.types.filter { $0.key.hasPrefix("llm_workload_feedback_") } == [
            "llm_workload_feedback_awaiting_requests": "gauge",
            "llm_workload_feedback_watermark_lag_seconds": "gauge",
            "llm_workload_feedback_completions_consumed_total": "counter",
            "llm_workload_feedback_completions_ignored_total": "counter",
            "llm_workload_feedback_late_follow_ups_total": "counter",
            "llm_workload_feedback_sessions_ended_total": "counter",
            "llm_workload_feedback_follow_up_lateness_seconds": "histogram",
        ])
        for reason in ["malformed", "other_run", "behind_watermark", "watermark_backwards", "unknown_request", "duplicate",
                       "before_arrival", "after_timeout"] {
            #expect(initial.value("llm_workload_feedback_completions_ignored_total", ["reason": reason]) == 0)
        }
        #expect(initial.value("llm_workload_feedback_sessions_ended_total", ["reason": "no_response"]) == 0)
        #expect(initial.value("llm_workload_feedback_sessions_ended_total", ["reason": "failed"]) == 0)
        #expect(initial.value("llm_workload_feedback_follow_up_lateness_seconds_count") == 0)
        #expect(Set(initial.help.keys) == Set(initial.types.keys))

        loop.ignored[FeedbackIgnoreReason.allCases.firstIndex(of: .duplicate)!].increment(by: 2)
        loop.noResponse.increment()
        loop.followUpLateness.record(nanoseconds: 3_000_000)
        loop.watermarkLag.set(FeedbackGauges.lagSeconds(generator: 12_500_000_000, completions: 10_000_000_000))
        let parsed = try Exposition(parsing: metrics.render())
        #expect(parsed.value("llm_workload_feedback_completions_ignored_total", ["reason": "duplicate"]) == 2)
        #expect(parsed.value("llm_workload_feedback_completions_ignored_total", ["reason": "malformed"]) == 0)
        #expect(parsed.value("llm_workload_feedback_sessions_ended_total", ["reason": "no_response"]) == 1)
        #expect(parsed.value("llm_workload_feedback_follow_up_lateness_seconds_bucket", ["le": "0.002"]) == 0)
        #expect(parsed.value("llm_workload_feedback_follow_up_lateness_seconds_bucket", ["le": "0.005"]) == 1)
        #expect(parsed.value("llm_workload_feedback_watermark_lag_seconds") == 2.5)
        // Past the generator, final, or none yet.
        #expect(FeedbackGauges.lagSeconds(generator: 5, completions: 9) == 0)
        #expect(FeedbackGauges.lagSeconds(generator: 5_000_000_000, completions: .max) == 0)
        #expect(FeedbackGauges.lagSeconds(generator: 5_000_000_000, completions: .min) == 5)
    }

    @Test("follow-up lateness quantiles are within 0.8 % of the exact ones, the maximum exact")
    func latenessQuantiles() {
        var sketch = LatenessQuantiles()
        #expect(sketch.quantile(0.5) == nil)
        var generator = SystemRandomNumberGenerator()
        // Log-uniform over 10 ns .. 10 s: every range of buckets is used.
        let values = (0..<20_000).map { _ in UInt64(pow(10, Double.random(in: 1...10, using: &generator))) }
        for value in values { sketch.record(nanoseconds: value) }
        let sorted = values.sorted()
        #expect(sketch.count == 20_000 && sketch.maximum == sorted.last)
        for q in [0.01, 0.5, 0.9, 0.99, 0.999] {
            let exact = Double(sorted[Int((q * 20_000).rounded(.up)) - 1])
            let estimate = Double(sketch.quantile(q)!)
            #expect(abs(estimate - exact) <= exact / 128 + 1, "q \(q): \(estimate) vs \(exact)")
        }
        var small = LatenessQuantiles()
        for value: UInt64 in [0, 5, 5, 100] { small.record(nanoseconds: value) }
        #expect(small.quantile(0.5) == 5 && small.quantile(1) == 100 && small.quantile(0.1) == 0)
    }
}
