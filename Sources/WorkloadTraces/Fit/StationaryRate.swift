import Dispatch
import Synchronization
import WorkloadModel

extension TraceFitter {
    /// The new-session rate calibrated to the stationary load past the span,
    /// and the trace's own windows levelled to the trace's rate over the span.
    /// The warm start's burn-in holds the first window's rate, so the
    /// sessions in progress at 0 are as many as that rate leaves (the
    /// trace's were begun under a load it does not show): the first span's
    /// request rate is not the later periods'. Streams from the model on the
    /// calibration seeds give both: the first span's (`firstRate`, already
    /// measured) and one later period's. The new-session rate is set so
    /// that the later period's is the trace's rate, and the first period's
    /// windows are scaled so that the span's is too (both linear in
    /// expectation: every request belongs to a session begun at the schedule's rate).
    static func calibrateStationaryRate(_ model: inout FittedModel, real: Double, firstRate: Double, span: Double) throws(FitError) {
        guard model.warmStart, model.turns != nil, model.beyondSpan == .shuffled, model.schedule.repeatSeconds == nil,
              firstRate > 0 else { return }
        let plan = BlockPlan(windows: model.schedule.multipliers.count, width: model.scheduleWidth, span: span)
        let start = Double(plan.firstWindows) * model.scheduleWidth
        let length = Double(plan.slots * plan.blockWindows) * model.scheduleWidth
        let later = try requestRate(model, from: start, length: length, seeds: calibrationSeeds)
        guard later > 0 else { return }
        model.scaleSessionRate(real / later, reason: String(format: "calibrated on the later periods: streams from this file ran at %.4g requests/s over the %@ s after the first period, against the trace's %.4g", later, YAMLNumber.short(length), real))
        model.firstPeriodLevel = later / firstRate
    }

    /// The request rate of streams from `model` over [start, start + length), one per seed.
    static func requestRate(_ model: FittedModel, from start: Double, length: Double, seeds: [UInt64]) throws(FitError) -> Double {
        var long = try load(model.yaml())
        long.totalDuration = start + length
        let spec = long
        let from = VirtualNanoseconds(start * 1e9), to = VirtualNanoseconds((start + length) * 1e9)
        let total = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: seeds.count) { index in
            var seeded = spec
            seeded.seed = seeds[index]
            var engine = WorkloadEngine(spec: seeded)
            var count = 0
            while let event = engine.next() {
                if case .request(let request) = event, request.sentAt >= from, request.sentAt < to { count += 1 }
            }
            total.withLock { $0 += count }
        }
        return Double(total.withLock { $0 }) / (length * Double(seeds.count))
    }
}
