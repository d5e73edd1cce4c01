import Foundation

/// `stats`' rate figures over time (see the Load over time article): request and session counts
/// per 1 s bin from virtual time 0, for the whole stream and per profile,
/// summarised over 1 s, 60 s and 600 s windows (complete windows only):
/// mean rate, CV and peak/mean of the counts, their index of dispersion
/// (variance / mean; 1 for Poisson) and lag-1 autocorrelation.
package struct WindowedRates: Sendable {
    /// Counts per second; index = floor(time_s). Key: profile, or "" for the whole stream.
    package var requests: [String: [Int]] = [:]
    package var sessions: [String: [Int]] = [:]
    package var end = 0.0

    /// Bins beyond this (about 115 days) are not kept: 80 MB per series at most.
    static let largestBin = 10_000_000

    package init() {}

    package static let windows = [1, 60, 600]

    mutating func add(request time: Double, profile: String) { Self.count(time, profile, into: &requests, end: &end) }

    mutating func add(session time: Double, profile: String) { Self.count(time, profile, into: &sessions, end: &end) }

    static func count(_ time: Double, _ profile: String, into table: inout [String: [Int]], end: inout Double) {
        end = Swift.max(end, time)
        guard time >= 0, time < Double(largestBin) else { return }
        let bin = Int(time)
        // An event without a profile counts once, in the whole stream's series.
        for key in profile.isEmpty ? [""] : ["", profile] {
            var bins = table.removeValue(forKey: key) ?? []
            if bins.count <= bin { bins += [Int](repeating: 0, count: Swift.max(bin + 1 - bins.count, bins.count)) }
            bins[bin] += 1
            table[key] = bins
        }
    }

    /// Figures of counts over complete windows of `width` seconds.
    package struct Summary: Sendable, Equatable {
        package var windows: Int
        package var meanRate: Double
        package var cv: Double
        package var peakToMean: Double
        package var indexOfDispersion: Double
        package var lag1: Double
    }

    package func summary(_ bins: [Int], width: Int) -> Summary? {
        let count = Swift.min(Int(end), Self.largestBin) / width
        guard count >= 2 else { return nil }
        var counts = [Double](repeating: 0, count: count)
        for (index, n) in bins.enumerated() where index / width < count { counts[index / width] += Double(n) }
        let mean = counts.reduce(0, +) / Double(count)
        guard mean > 0 else { return nil }
        let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count - 1)
        var covariance = 0.0
        for i in 1..<count { covariance += (counts[i] - mean) * (counts[i - 1] - mean) }
        covariance /= Double(count - 1)
        return Summary(windows: count, meanRate: mean / Double(width), cv: variance.squareRoot() / mean,
                       peakToMean: (counts.max() ?? 0) / mean, indexOfDispersion: variance / mean,
                       lag1: variance > 0 ? covariance / variance : 0)
    }

    package func report() -> [String] {
        var out = ["rates over windows (complete windows from 0 s): mean/s, CV, peak/mean, IDC, lag-1 autocorrelation of counts"]
        let keys = [""] + Set(requests.keys).union(sessions.keys).subtracting([""]).sorted()
        for key in keys {
            for (name, table) in [("requests", requests), ("sessions", sessions)] {
                let bins = table[key] ?? []
                let cells = Self.windows.map { width -> String in
                    guard let s = summary(bins, width: width) else { return "\(width) s: n/a" }
                    return String(format: "%d s: %.4g/s CV %.3f peak %.2f IDC %.3g lag1 %.3f", width, s.meanRate, s.cv, s.peakToMean, s.indexOfDispersion, s.lag1)
                }
                out.append("  \(key.isEmpty ? "all" : key) \(name): " + cells.joined(separator: " | "))
            }
        }
        return out
    }
}

/// `stats`' per-second counts kept by profile number (no dictionary per
/// event), made a `WindowedRates` for the report.
struct RateCounts: Sendable {
    var end = 0.0
    var allRequests: [Int] = []
    var allSessions: [Int] = []
    var requests: [[Int]] = []
    var sessions: [[Int]] = []
    /// Whether a profile has a series (it counted an event in range), and whether its name is empty
    /// (its events count once, in the whole stream's series).
    var hasRequests: [Bool] = []
    var hasSessions: [Bool] = []
    var unnamed: [Bool] = []
    var anyRequests = false
    var anySessions = false

    mutating func addProfile(isEmpty: Bool) {
        requests.append([])
        sessions.append([])
        hasRequests.append(false)
        hasSessions.append(false)
        unnamed.append(isEmpty)
    }

    mutating func add(request time: Double, profile: Int) {
        end = Swift.max(end, time)
        guard let bin = Self.bin(time) else { return }
        anyRequests = true
        Self.count(bin, &allRequests)
        guard !unnamed[profile] else { return }
        hasRequests[profile] = true
        Self.count(bin, &requests[profile])
    }

    mutating func add(session time: Double, profile: Int) {
        end = Swift.max(end, time)
        guard let bin = Self.bin(time) else { return }
        anySessions = true
        Self.count(bin, &allSessions)
        guard !unnamed[profile] else { return }
        hasSessions[profile] = true
        Self.count(bin, &sessions[profile])
    }

    static func bin(_ time: Double) -> Int? {
        time >= 0 && time < Double(WindowedRates.largestBin) ? Int(time) : nil
    }

    static func count(_ bin: Int, _ bins: inout [Int]) {
        if bins.count <= bin { bins += [Int](repeating: 0, count: Swift.max(bin + 1 - bins.count, bins.count)) }
        bins[bin] += 1
    }

    func rates(names: (Int) -> String) -> WindowedRates {
        var rates = WindowedRates()
        rates.end = end
        if anyRequests { rates.requests[""] = allRequests }
        if anySessions { rates.sessions[""] = allSessions }
        for profile in requests.indices {
            if hasRequests[profile] { rates.requests[names(profile)] = requests[profile] }
            if hasSessions[profile] { rates.sessions[names(profile)] = sessions[profile] }
        }
        return rates
    }
}
