import WorkloadModel

/// `validate`'s estimate of the generator's peak memory, checked against
/// `workload.limits.max_memory_mib` before anything runs. Each part is an
/// upper estimate of what the configuration makes the process hold:
///
/// - the process itself and librdkafka's queue (64 MiB by default): 160 MiB;
/// - sessions and requests in flight: twice the expected number, at most
///   their ceilings (`max_open_sessions`, `max_in_flight_requests`, where a
///   run stops), 320 bytes each (measured; the configuration reference, "Bounds");
/// - the prefix pools' tables: 24 bytes per item (its length, and a Zipf
///   law's cumulative weights);
/// - the largest event with `kv_blocks`: its `hash_ids`, one per block of its
///   prompt (the 1 - 1e-6 quantile of a first prompt, or twice the mean
///   later prompt when larger), 40 bytes each (the encoded number and the
///   sink's copy).
package struct MemoryEstimate: Sendable, Equatable {
    package var processMiB = 160.0
    package var sessionsMiB: Double
    package var poolsMiB: Double
    package var largestEventMiB: Double

    static let mebibyte = 1_048_576.0

    package init(_ spec: WorkloadSpec, capacity: CapacityFigures) {
        let sessions = Swift.min(Double(spec.limits.maxOpenSessions), 2 * capacity.expectedOpenSessions)
        let requests = Swift.min(Double(spec.limits.maxInFlightRequests), 2 * capacity.expectedInFlightRequests)
        sessionsMiB = ((sessions.isNaN ? 0 : sessions) + (requests.isNaN ? 0 : requests)) * 320 / Self.mebibyte
        poolsMiB = spec.prefixPools.reduce(0) { $0 + Double($1.items) * 24 } / Self.mebibyte
        largestEventMiB = 0
        if let block = spec.kvBlockTokens {
            var largest = 0.0
            let figures = spec.figures
            for (index, profile) in spec.profiles.enumerated() {
                let first = profile.promptTokens.upperQuantile(tail: 1e-6)
                let later = 2 * figures.profiles[index].conversation.meanLaterPromptTokens
                largest = Swift.max(largest, first, later)
            }
            let items = spec.prefixPools.map { pool in
                switch pool.tokens {
                case .drawn(let law): law.upperQuantile(tail: 1e-6)
                case .listed(let lengths): Double(lengths.max() ?? 0)
                }
            }.reduce(0, +)
            let blocks = (Swift.min(largest + items, 2e18) / Double(block)).rounded(.up)
            largestEventMiB = blocks * 40 / Self.mebibyte
        }
    }

    package var totalMiB: Double { processMiB + sessionsMiB + poolsMiB + largestEventMiB }

    package var breakdown: String {
        "process \(Preflight.format(processMiB)), sessions and requests in flight \(Preflight.format(sessionsMiB)), prefix pools \(Preflight.format(poolsMiB)), largest event \(Preflight.format(largestEventMiB)) MiB"
    }
}

extension Distribution {
    /// The value with P(X > x) about `tail` (bisection on the CDF, at most
    /// the supremum and 1e12).
    func upperQuantile(tail: Double) -> Double {
        let top = Swift.min(supremum, 1e12)
        var low = Swift.max(0, infimum)
        var high = Swift.max(1, mean.isFinite ? mean : 1)
        while cdf(high) < 1 - tail && high < top { high *= 2 }
        high = Swift.min(high, top)
        guard low < high else { return high }
        for _ in 0..<100 where high - low > 1e-6 * high {
            let mid = (low + high) / 2
            if cdf(mid) < 1 - tail { low = mid } else { high = mid }
        }
        return high
    }
}
