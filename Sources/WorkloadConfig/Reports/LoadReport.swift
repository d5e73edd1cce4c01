import Foundation
import WorkloadModel

extension LoadSpec {
    /// A YAML flow mapping that loads back to the same load.
    package var yamlFlow: String {
        var parts: [String] = []
        if let schedule {
            let points = schedule.points.map { "[\(num($0.time)), \(num($0.multiplier))]" }.joined(separator: ", ")
            parts.append("schedule: {points: [\(points)], interpolation: \(schedule.interpolation.rawValue), repeat_s: \(schedule.repeatSeconds.map(num) ?? "null")}")
        }
        if let diurnal {
            parts.append("diurnal: {period_s: \(num(diurnal.periodSeconds)), peak_at_s: \(num(diurnal.peakAtSeconds)), peak_to_trough: \(num(diurnal.peakToTrough))}")
        }
        if !spikes.isEmpty {
            let list = spikes.map { "{at_s: \(num($0.atSeconds)), duration_s: \(num($0.durationSeconds)), multiplier: \(num($0.multiplier)), ramp_s: \(num($0.rampSeconds))}" }
            parts.append("spikes: [\(list.joined(separator: ", "))]")
        }
        if let bursts {
            let states = bursts.states.map { "{multiplier: \(num($0.multiplier)), mean_duration_s: \(num($0.meanDurationSeconds))}" }
            parts.append("bursts: {type: MMPP, states: [\(states.joined(separator: ", "))]}")
        }
        return "{\(parts.joined(separator: ", "))}"
    }
}

private func num(_ value: Double) -> String {
    if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
    return "\(value)"
}

extension Configuration {
    /// `validate`'s lines about the load: m(t) per profile and
    /// overall, expected sessions and requests per hour, burst figures.
    var loadReport: [String] {
        guard let figures = workload.loadFigures else { return [] }
        var lines = [String(format: "load over [0, %.6g] s (m = schedule x diurnal x spikes; bursts have mean 1):", figures.overall.window)]
        let header = ["profile", "m mean", "m min", "m max", "sessions/h", "requests/h", "IDC 60s", "IDC 600s", "lag-1 (1 min)"]
        var rows = [header]
        func row(_ name: String, _ f: LoadFigures) -> [String] {
            let mark = f.approximate ? " ~" : ""
            return [name, String(format: "%.4f", f.mean), String(format: "%.4f", f.minimum), String(format: "%.4f", f.maximum),
                    String(format: "%.6g", f.sessionsPerHour), String(format: "%.6g", f.requestsPerHour),
                    f.idc60.map { String(format: "%.4g", $0) + mark } ?? "-", f.idc600.map { String(format: "%.4g", $0) + mark } ?? "-",
                    f.lag1Minutes.map { String(format: "%.3f", $0) + mark } ?? "-"]
        }
        for (profile, f) in zip(workload.profiles, figures.profiles) { rows.append(row(profile.name, f)) }
        rows.append(row("overall", figures.overall))
        lines += Self.table(rows)
        if figures.profiles.contains(where: \.approximate) {
            lines.append("~ approximate: the base process is not Exponential (its CV^2 stands in for 1), the rest of m is not constant (taken at its mean), or mixture mode with several profiles")
        }
        return lines
    }

    /// Rows as left-aligned columns two spaces apart.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (rows.first ?? []).indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset] + 2, withPad: " ", startingAt: 0) }
                .joined().trimmingCharacters(in: .whitespaces)
        }
    }
}
