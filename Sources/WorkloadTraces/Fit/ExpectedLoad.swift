import WorkloadModel

/// The load figures a schedule is expected to give (IDC of 60 s and 600 s
/// counts, lag-1 of minute counts) without simulating it: a run's window
/// counts are the schedule's expected counts (new sessions under the
/// schedule, later turns at the trace's delays after them) plus the
/// generator's own noise, measured once on streams under a flat schedule.
/// Candidates scored this way differ by their schedules alone: an hour has
/// five 600 s windows, so a few simulated seeds would choose by their noise.
struct ExpectedLoad {
    /// The generator's own noise per window: the IDC of 60 s and 600 s counts,
    /// and the lag-1 autocovariance of minute counts over their mean.
    struct Noise {
        var idc60: Double
        var idc600: Double
        var lag1: Double
    }

    var noise: Noise
    /// Later turns' delays from their session's first request, and the number of sessions.
    var delays: [Double]
    var sessions: Int
    /// Sessions in progress at 0 (warm start) send later turns after it.
    var warmStart: Bool

    /// Sub-windows of a minute the expected rate is computed on.
    static let resolution = 10.0

    /// The noise of streams of one model: each window's count about its
    /// expected count, the streams' mean count in that window or (`shape`:
    /// the expected counts per minute of a known schedule, such as a flat one)
    /// that shape scaled to the stream's total. The 600 s IDC is taken over
    /// windows at every minute's offset (an hour holds only five whole ones).
    static func noise(_ streams: [RequestSample], span: Double, shape: [Double]? = nil) -> Noise {
        let minutes = Swift.max(Int(span / 60), 2)
        let counts = streams.map { stream in
            var c = [Double](repeating: 0, count: minutes)
            for t in stream.times where t >= 0 && Int(t / 60) < minutes { c[Int(t / 60)] += 1 }
            return c
        }
        func tenMinutes(_ c: [Double]) -> [Double] { c.count >= 10 ? (0...(c.count - 10)).map { c[$0..<($0 + 10)].reduce(0, +) } : [] }
        let tens = counts.map(tenMinutes)
        let seeds = Double(streams.count)
        // Deviations from the expected count, and the share of their variance that centring leaves. Scaled to
        // the stream's total (the sum of its windows of `width` minutes), the shape takes 1 - sum w^2 / (width
        // L^2) of it, w counting the L windows over each minute (independent minutes): 1 / minutes for minutes,
        // 18% over an hour for 600 s windows at every minute's offset, where 1 / L (2%) read the noise 19% low
        // and the replayed blocks kept that much of it again.
        func deviations(_ series: [[Double]], shape: [Double]?, width: Int) -> (values: [[Double]], share: Double) {
            guard let length = series.first?.count, length > 0 else { return ([], 1) }
            if let shape, shape.count == length {
                let total = Swift.max(shape.reduce(0, +), 1e-9)
                var covering = [Double](repeating: 0, count: length + width - 1)
                for window in 0..<length { for minute in window..<(window + width) { covering[minute] += 1 } }
                let taken = covering.reduce(0) { $0 + $1 * $1 } / (Double(width) * Double(length * length))
                return (series.map { x in let scale = x.reduce(0, +) / total; return zip(x, shape).map { $0 - $1 * scale } },
                        Swift.max(1 - taken, 1e-9))
            }
            let mean = (0..<length).map { i in series.reduce(0) { $0 + $1[i] } / seeds }
            return (series.map { x in zip(x, mean).map { $0 - $1 } }, (seeds - 1) / seeds)
        }
        let total = counts.joined().reduce(0, +)
        let mean = Swift.max(total / Double(Swift.max(1, counts.count * minutes)), 1e-9)
        let (d60, share60) = deviations(counts, shape: shape, width: 1)
        let (d600, share600) = deviations(tens, shape: shape.map(tenMinutes), width: 10)
        let values60 = Double(d60.joined().count) * share60
        let idc60 = d60.joined().reduce(0) { $0 + $1 * $1 } / Swift.max(values60, 1) / mean
        let pairs = d60.reduce(0.0) { $0 + zip($1.dropFirst(), $1).reduce(0) { $0 + $1.0 * $1.1 } }
        let lag1 = pairs / Swift.max(Double(d60.count * (minutes - 1)) * share60, 1) / mean
        let values600 = Double(d600.joined().count) * share600
        let idc600 = values600 >= 1 ? d600.joined().reduce(0) { $0 + $1 * $1 } / values600 / (10 * mean) : idc60
        return Noise(idc60: idc60, idc600: idc600, lag1: lag1)
    }

    /// `noise` with the IDC and lag-1 covariance that `bursts` add at `rate`.
    static func adding(_ bursts: MarkovBursts?, to noise: Noise, rate: Double) -> Noise {
        guard let bursts else { return noise }
        let at60 = bursts.indexOfDispersion(window: 60, rate: rate, baseIDC: 0)
        return Noise(idc60: noise.idc60 + at60, idc600: noise.idc600 + bursts.indexOfDispersion(window: 600, rate: rate, baseIDC: 0),
                     lag1: noise.lag1 + at60 * bursts.lag1Autocorrelation(window: 60, rate: rate, baseIDC: 0))
    }

    /// The expected figures of a run of `schedule` over `span` with `requests` requests.
    func figures(_ schedule: RateSchedule, span: Double, requests: Int) -> (idc60: Double, idc600: Double, lag1: Double) {
        let minutes = counts(schedule, span: span, requests: requests)
        let tens = stride(from: 0, to: minutes.count - 9, by: 10).map { minutes[$0..<($0 + 10)].reduce(0, +) }
        func moments(_ x: [Double]) -> (mean: Double, variance: Double, lag1: Double) {
            guard x.count >= 2 else { return (x.first ?? 0, 0, 0) }
            let mean = x.reduce(0, +) / Double(x.count), n = Double(x.count - 1)
            return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n,
                    zip(x.dropFirst(), x).reduce(0) { $0 + ($1.0 - mean) * ($1.1 - mean) } / n)
        }
        let m = moments(minutes), t = moments(tens)
        let variance60 = m.variance + noise.idc60 * m.mean
        return (m.mean > 0 ? variance60 / m.mean : .nan,
                t.mean > 0 ? noise.idc600 + t.variance / t.mean : .nan,
                variance60 > 0 ? (m.lag1 + noise.lag1 * m.mean) / variance60 : 0)
    }

    /// Expected counts per whole minute: per sub-window, the schedule (new
    /// sessions) plus the sessions' later turns at the trace's delays, scaled
    /// to `requests` over the span.
    func counts(_ schedule: RateSchedule, span: Double, requests: Int) -> [Double] {
        let step = Self.resolution, bins = Swift.max(1, Int((span / step).rounded(.up)))
        let rate = (0..<bins).map { bin in
            let t = (Double(bin) + 0.5) * step
            return schedule.value(at: schedule.repeatSeconds.map { t.truncatingRemainder(dividingBy: $0) } ?? t)
        }
        // Later turns per sub-window of delay, each split between the two sub-windows it falls across.
        var kernel = [Double](repeating: 0, count: bins + 1)
        for d in delays where d >= 0 && d < Double(bins) * step {
            let x = d / step, k = Int(x), f = x - Double(k)
            kernel[k] += (1 - f) / Double(Swift.max(sessions, 1))
            kernel[k + 1] += f / Double(Swift.max(sessions, 1))
        }
        let before = warmStart ? rate[0] : 0
        var intensity = rate
        for (k, weight) in kernel.enumerated() where weight > 0 {
            for b in 0..<bins { intensity[b] += weight * (b >= k ? rate[b - k] : before) }
        }
        let covered = (0..<bins).map { Swift.min(step, span - Double($0) * step) }
        let total = zip(intensity, covered).reduce(0) { $0 + $1.0 * $1.1 }
        let scale = total > 0 ? Double(requests) / total : 0
        let perMinute = Int((60 / step).rounded())
        return (0..<Int(span / 60)).map { minute in
            (minute * perMinute..<Swift.min(bins, (minute + 1) * perMinute)).reduce(0) { $0 + intensity[$1] * step * scale }
        }
    }
}
