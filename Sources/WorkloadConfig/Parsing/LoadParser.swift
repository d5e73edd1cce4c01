import WorkloadModel
import Yams

/// Parses a `load` section (see the Load over time article) with the key path and value in every
/// message, collecting every problem.
struct LoadParser {
    let reader: ConfigReader
    /// False when the run has no `total_duration` (a load that is zero
    /// forever from some point on would then never produce a session again).
    let bounded: Bool

    static let keys = ["schedule", "diurnal", "spikes", "bursts"]
    /// Every time is at most the longest run (the clock counts Int64 nanoseconds).
    static let longest = 1e9
    /// States of `bursts` (200 take about 2 s to start in a debug build, 1,000 minutes).
    static let largestMMPP = 100

    func parse(_ node: Node, at path: String) -> LoadSpec? {
        guard let object = reader.object(node, at: path, allowed: Self.keys) else { return nil }
        let before = reader.problems.count
        var load = LoadSpec()
        if let schedule = object.object("schedule", allowed: ["points", "interpolation", "repeat_s"]) {
            load.schedule = self.schedule(schedule)
        }
        if let diurnal = object.object("diurnal", allowed: ["period_s", "peak_at_s", "peak_to_trough"]) {
            let period = diurnal.number("period_s", default: 86_400, .between(1e-3, Self.longest))
            let peak = diurnal.number("peak_at_s", default: 0, .between(-Self.longest, Self.longest))
            let ratio = diurnal.number("peak_to_trough", default: nil, .between(1, 1e6))
            if let period, let peak, let ratio {
                load.diurnal = DiurnalCycle(periodSeconds: period, peakAtSeconds: peak, peakToTrough: ratio)
            }
        }
        if let spikesNode = object["spikes"] {
            load.spikes = spikes(spikesNode, at: object.path("spikes"))
        }
        if let bursts = object.object("bursts", allowed: ["type", "states"]) {
            load.bursts = self.bursts(bursts)
        }
        return reader.problems.count == before ? load : nil
    }

    private func schedule(_ object: ConfigObject) -> LoadSchedule? {
        let before = reader.problems.count
        var interpolation = LoadSchedule.Interpolation.linear
        if let node = object["interpolation"], let name = reader.string(node, at: object.path("interpolation")) {
            if let parsed = LoadSchedule.Interpolation(rawValue: name) {
                interpolation = parsed
            } else {
                reader.report(object.path("interpolation"), "must be linear or step (got \(name))\(KeySuggestion.hint(for: name, in: LoadSchedule.Interpolation.allCases.map(\.rawValue)))")
            }
        }
        let period = object.optionalNumber("repeat_s", .between(1e-3, Self.longest))
        var points: [(time: Double, multiplier: Double)] = []
        if let node = object.required("points", "a list of [virtual seconds, multiplier] pairs") {
            let path = object.path("points")
            if case .sequence(let list) = node, !list.isEmpty {
                for (index, item) in list.enumerated() {
                    let here = "\(path)[\(index)]"
                    guard case .sequence(let pair) = item, pair.count == 2 else {
                        reader.report(here, "expected a pair [virtual seconds, multiplier] (got \(ConfigReader.describe(item)))")
                        continue
                    }
                    let time = reader.number(pair[0], at: here + "[0]")
                    let multiplier = reader.number(pair[1], at: here + "[1]")
                    if let time, !(0...Self.longest).contains(time) {
                        reader.report(here + "[0]", "must be between 0 and 1000000000 (got \(ConfigReader.describe(pair[0])))")
                    } else if let time, let last = points.last, (time * 1e9).rounded() <= (last.time * 1e9).rounded() {
                        // Compared on the clock's nanoseconds: a segment must have a length.
                        reader.report(here + "[0]", "times must increase (got \(ConfigReader.describe(pair[0])) after \(NumberRule.format(last.time)))")
                    }
                    if let multiplier, multiplier < 0 {
                        reader.report(here + "[1]", "multiplier must be >= 0 (got \(ConfigReader.describe(pair[1])))")
                    }
                    if let time, let multiplier { points.append((time, multiplier)) }
                }
            } else {
                reader.report(path, "expected a non-empty list of [virtual seconds, multiplier] pairs (got \(ConfigReader.describe(node)))")
            }
        }
        guard reader.problems.count == before, !points.isEmpty else { return nil }
        if let period, let last = points.last, (last.time * 1e9).rounded() >= (period * 1e9).rounded() {
            reader.report(object.path("repeat_s"), "must be greater than the last point's time, \(NumberRule.format(last.time)) (got \(NumberRule.format(period)))")
            return nil
        }
        if !bounded {
            if period == nil, let last = points.last, last.multiplier == 0 {
                reader.report(object.path("points") + "[\(points.count - 1)][1]", "the schedule is 0 forever from \(NumberRule.format(last.time)) s on, in a run without total_duration: no session would ever arrive again (got 0)")
                return nil
            }
            if period != nil, points.allSatisfy({ $0.multiplier == 0 }) {
                reader.report(object.path("points"), "every multiplier is 0 in a repeating schedule of a run without total_duration: no session would ever arrive (got all 0)")
                return nil
            }
        }
        return LoadSchedule(points: points, interpolation: interpolation, repeatSeconds: period)
    }

    private func spikes(_ node: Node, at path: String) -> [LoadSpike] {
        guard case .sequence(let list) = node else {
            reader.report(path, "expected a list of spikes {at_s, duration_s, multiplier, ramp_s} (got \(ConfigReader.describe(node)))")
            return []
        }
        var spikes: [(index: Int, spike: LoadSpike)] = []
        for (index, item) in list.enumerated() {
            guard let object = reader.object(item, at: "\(path)[\(index)]", allowed: ["at_s", "duration_s", "multiplier", "ramp_s"]) else { continue }
            let at = object.number("at_s", default: nil, .between(0, Self.longest))
            let duration = object.number("duration_s", default: nil, .positive)
            let multiplier = object.number("multiplier", default: nil, .between(0, 1e6))
            let ramp = object.number("ramp_s", default: 0, .between(0, Self.longest))
            guard let at, let duration, let multiplier, let ramp else { continue }
            if 2 * ramp > duration {
                reader.report(object.path("ramp_s"), "both ramps must fit in duration_s = \(NumberRule.format(duration)) (got \(NumberRule.format(ramp)))")
                continue
            }
            let spike = LoadSpike(atSeconds: at, durationSeconds: duration, multiplier: multiplier, rampSeconds: ramp)
            for other in spikes {
                // Disjoint spikes have start > end here: compare before forming a range.
                let start = Swift.max(spike.atSeconds, other.spike.atSeconds), end = Swift.min(spike.end, other.spike.end)
                guard start < end else { continue }
                let overlap = start...end
                let onPlateaus = spike.plateau.contains(overlap.lowerBound) && spike.plateau.contains(overlap.upperBound)
                    && other.spike.plateau.contains(overlap.lowerBound) && other.spike.plateau.contains(overlap.upperBound)
                if !onPlateaus {
                    reader.report("\(path)[\(index)]", "overlaps spikes[\(other.index)] on [\(NumberRule.format(overlap.lowerBound)), \(NumberRule.format(overlap.upperBound))] s while one of them ramps: overlapping spikes multiply, and may overlap only where both are at full height (got at_s \(NumberRule.format(at)), ramp_s \(NumberRule.format(ramp)))")
                }
            }
            spikes.append((index, spike))
        }
        return spikes.map(\.spike)
    }

    private func bursts(_ object: ConfigObject) -> MarkovBursts? {
        let type = object.string("type", default: "MMPP")
        if type != "MMPP" {
            reader.report(object.path("type"), "must be MMPP (got \(type))")
        }
        guard let node = object.required("states", "a list of states {multiplier, mean_duration_s}") else { return nil }
        let path = object.path("states")
        guard case .sequence(let list) = node else {
            reader.report(path, "expected a list of states {multiplier, mean_duration_s} (got \(ConfigReader.describe(node)))")
            return nil
        }
        if list.count < 2 {
            reader.report(path, "an MMPP needs at least two states (got \(list.count))")
        }
        if list.count > Self.largestMMPP {
            reader.report(path, "an MMPP has at most \(Self.largestMMPP) states: working out its figures at start-up grows steeply with the count (got \(list.count))")
            return nil
        }
        var states: [MarkovBursts.State] = []
        for (index, item) in list.enumerated() {
            guard let state = reader.object(item, at: "\(path)[\(index)]", allowed: ["multiplier", "mean_duration_s"]) else { continue }
            let multiplier = state.number("multiplier", default: nil, .between(0, 1e6))
            // At least 1 ms: the path is walked switch by switch.
            let duration = state.number("mean_duration_s", default: nil, .between(0.001, Self.longest))
            if let multiplier, let duration { states.append(.init(multiplier: multiplier, meanDurationSeconds: duration)) }
        }
        guard states.count == list.count, states.count >= 2 else { return nil }
        if states.allSatisfy({ $0.multiplier == 0 }) {
            reader.report(path, "at least one state needs a multiplier > 0 (got all 0)")
            return nil
        }
        return MarkovBursts(states: states)
    }
}

extension Configuration {
    /// `workload.load`, `workload.warm_start` and each profile's `load`.
    static func readLoad(_ object: ConfigObject, reader: ConfigReader, into spec: inout WorkloadSpec) {
        var profiles: [Node] = []
        if case .sequence(let list)? = object["client_profiles"] { profiles = Array(list) }
        let parser = LoadParser(reader: reader, bounded: spec.totalDuration != nil)
        if let node = object["load"] { spec.load = parser.parse(node, at: object.path("load")) }
        spec.warmStart = object.bool("warm_start", default: false)
        let complete = spec.profiles.count == profiles.count
        for (index, node) in profiles.enumerated() {
            guard case .mapping(let mapping) = node,
                  let loadNode = mapping.first(where: { $0.key.scalar?.string == "load" })?.value,
                  !ConfigReader.isNull(loadNode) else { continue }
            let path = "workload.client_profiles[\(index)].load"
            guard spec.arrivalMode == .superposition else {
                reader.report(path, "a profile's own load needs arrival_mode: superposition (in mixture mode one stream serves every profile: use workload.load, or set arrival_mode: superposition)")
                continue
            }
            let load = parser.parse(loadNode, at: path)
            if complete { spec.profiles[index].load = load }
        }
    }
}
