import Foundation
import Testing
import TestSupport
import WorkloadModel

/// The pure maths of `fit`: KS distances, family choice, empirical laws,
/// the turn law, the schedule and the burst fit.
@Suite struct FitMathsTests {
    /// Past the span: the first period is the trace's windows then fillers
    /// to a whole hour; each later hour plays the trace's whole 600 s blocks
    /// and a filler in a new order, blocks kept whole, scaled to mean 1.
    @Test func aShuffledScheduleKeepsEachHoursBlocksAndMovesOnlyTheirOrder() {
        let multipliers = (0..<59).map { 0.5 + Double($0 * 37 % 59) / 59 }
        let schedule = RateSchedule(times: (0..<59).map { (Double($0) + 0.5) * 60 }, multipliers: multipliers)
        let plan = BlockPlan(windows: 59, width: 60, span: 3502)
        #expect(plan == BlockPlan(blockWindows: 10, wholeBlocks: 5, slots: 6, firstWindows: 60))
        #expect(BlockPlan(windows: 60, width: 60, span: 3600).fillers == 0)
        #expect(BlockPlan(windows: 121, width: 60, span: 7201).slots == 12)
        // Under half an hour: thirds of the trace, no hour to fill.
        #expect(BlockPlan(windows: 20, width: 5, span: 100) == BlockPlan(blockWindows: 6, wholeBlocks: 3, slots: 3, firstWindows: 24))
        let shuffled = schedule.shuffled(width: 60, plan: plan, periods: 24)
        #expect(shuffled.repeatSeconds == nil)
        // A point at 0 holds the first window's value before its centre, as an unrepeated schedule does.
        let centres: [Double] = (0..<1440).map { (Double($0) + 0.5) * 60 }
        #expect(shuffled.times == [0] + centres)
        #expect(Array(shuffled.multipliers.prefix(60)) == [multipliers[0]] + multipliers)
        let blocks = (0..<5).map { Array(multipliers[($0 * 10)..<($0 * 10 + 10)]) }
        let mean = blocks.map { $0.reduce(0, +) / 10 }.reduce(0, +) / 5
        var orders = Set<[Int]>()
        for hour in 1..<24 {
            let part = Array(shuffled.multipliers[(hour * 60 + 1)..<((hour + 1) * 60 + 1)])
            #expect(abs(part.reduce(0, +) / 60 - 1) < 1e-12, "hour \(hour) has mean 1")
            let scaled = part.map { $0 * mean }
            // Every whole block once, whole and in order, at a 600 s boundary (the hour's
            // scale is 1 / the blocks' mean level); the sixth slot a filler: a block's shape at that level.
            var order: [Int] = []
            var fillers = 0
            for slot in 0..<6 {
                let piece = Array(scaled[(slot * 10)..<(slot * 10 + 10)])
                let level = piece.reduce(0, +) / 10
                if let block = blocks.firstIndex(where: { zip($0, piece).allSatisfy { abs($0 - $1) < 1e-9 } }) {
                    order.append(block)
                } else if abs(level - mean) < 1e-9, blocks.contains(where: { b in
                    zip(b, piece).allSatisfy { abs($0 / (b.reduce(0, +) / 10) - $1 / level) < 1e-9 } }) {
                    fillers += 1
                }
            }
            #expect(order.sorted() == [0, 1, 2, 3, 4] && fillers == 1, "hour \(hour): \(order), \(fillers) filler(s)")
            orders.insert(order)
        }
        #expect(orders.count > 15, "the order changes from hour to hour")
        let repeated = schedule.repeating(width: 60)
        #expect(repeated.repeatSeconds == Double(59 * 60) && repeated.multipliers == [multipliers[0]] + multipliers)
    }

    /// With sessions spilling a share s of a block's requests into the next,
    /// a later period's request rate per block is (1 - s) x its level + s x
    /// the level before (the first later block's from the first period's
    /// last block): that, not the levels, has mean 1 in every period,
    /// whatever level its last block ends on.
    @Test func aShuffledPeriodsRequestRateHasMeanOneWithTheSpill() {
        let multipliers = (0..<59).map { 0.8 + 0.4 * Double($0 * 37 % 59) / 59 }
        let schedule = RateSchedule(times: (0..<59).map { Double($0) * 60 }, multipliers: multipliers, step: true)
        let spill = 0.25
        let shuffled = schedule.shuffled(width: 60, plan: BlockPlan(windows: 59, width: 60, span: 3502), periods: 12,
                                         levels: BlockLevels(spill: spill))
        let levels = stride(from: 0, to: shuffled.multipliers.count, by: 10).map { shuffled.multipliers[$0..<($0 + 10)].reduce(0, +) / 10 }
        #expect(levels.count == 72)
        for hour in 1..<12 {
            let rates = (hour * 6..<(hour + 1) * 6).map { (1 - spill) * levels[$0] + spill * levels[$0 - 1] }
            #expect(abs(rates.reduce(0, +) / 6 - 1) < 1e-9, "hour \(hour + 1): request rate \(rates.reduce(0, +) / 6)")
        }
    }

    @Test func twoSampleDistanceHandlesTies() {
        // F_a jumps to 2/3 at 1, F_b to 1/3 at 1 and to 1 at 2: sup = 1/3 at 1.
        #expect(abs(KolmogorovSmirnov.distance(sorted: [1, 1, 3], sorted: [1, 2, 2]) - 1.0 / 3) < 1e-12)
        #expect(KolmogorovSmirnov.distance(sorted: [1, 2, 3], sorted: [1, 2, 3]) == 0)
    }

    @Test func oneSampleDistanceAgreesWithTheTestSupportStatistic() {
        let law = Distribution(.weibull(shape: 1.5, scale: 2))
        let draws = GoodnessOfFit.draws(law, count: 5000, seed: 11)
        let ours = KolmogorovSmirnov.distance(sorted: draws.sorted(), cdf: law.cdf, integer: false)
        #expect(abs(ours - GoodnessOfFit.kolmogorovSmirnovStatistic(draws, cdf: law.cdf)) < 1e-12)
    }

    @Test func aSampleOfOneFamilyKeepsAParametricLawWithItsMean() {
        let draws = GoodnessOfFit.draws(Distribution(.logNormal(mu: 1, sigma: 0.5)), count: 4000, seed: 3)
        let law = FamilyFit.fit(draws, integer: false, preserveMean: true)
        #expect(!law.choice.hasPrefix("Quantiles"))
        #expect(law.ks <= law.critical)
        let mean = draws.reduce(0, +) / Double(draws.count)
        #expect(abs(law.distribution.mean / mean - 1) < 1e-9)  // preserveMean: exact
    }

    @Test func aSampleNoFamilyFitsGetsItsEmpiricalLaw() {
        // Two far-apart integer modes with a point mass: no family, nor two LogNormals, holds it.
        let modes = Distribution(.mixture(components: [Distribution(.uniform(low: 10, high: 20)), Distribution(.constant(700)),
                                                       Distribution(.normal(mean: 3000, std: 100))], weights: [0.4, 0.3, 0.3]), isInt: true)
        let draws = GoodnessOfFit.draws(modes, count: 6000, seed: 5)
        let law = FamilyFit.fit(draws, integer: true, closedFormQuantile: true)
        #expect(law.choice.hasPrefix("Quantiles"))
        // Draws of the fitted law against the sample: the two-sample KS test at 5% does not reject.
        let regenerated = GoodnessOfFit.draws(law.distribution, count: 6000, seed: 6)
        let d = KolmogorovSmirnov.distance(sorted: draws.sorted(), sorted: regenerated.sorted())
        #expect(d <= KolmogorovSmirnov.critical(6000, 6000), "KS \(d)")
    }

    @Test func turnLawReadsContinuationByDepth() {
        // 800 sessions of 1 turn, 100 of 2, 60 of 3, 40 of 4.
        let counts = [Int](repeating: 1, count: 800) + [Int](repeating: 2, count: 100) + [Int](repeating: 3, count: 60) + [Int](repeating: 4, count: 40)
        let law = TurnLaw(turnCounts: counts)
        #expect(abs(law.conversationalProbability - 200.0 / 1000) < 1e-12)
        // Reaching: n2 = 200, n3 = 100, n4 = 40 -> p2 = 0.5, then (n4 >= 30) p3 = 0.4.
        #expect(law.continuation == [0.5, 0.4])
        #expect(law.maxTurns == 4)
    }

    /// Sessions in progress at a trace's start show a later turn first: they go on as later turns do.
    /// Marked (`opens` false), they are left out of the chance of a second turn and kept for the later ones.
    @Test func turnLawLeavesSessionsInProgressOutOfTheSecondTurn() {
        // 1000 sessions that open in the trace: 800 of 1 turn, 100 of 2, 60 of 3, 40 of 4; and 100 in
        // progress at its start, seen from a later turn on: 40 of 1, 30 of 2, 30 of 3.
        let opened = [Int](repeating: 1, count: 800) + [Int](repeating: 2, count: 100) + [Int](repeating: 3, count: 60) + [Int](repeating: 4, count: 40)
        let progress = [Int](repeating: 1, count: 40) + [Int](repeating: 2, count: 30) + [Int](repeating: 3, count: 30)
        let counts = opened + progress
        let opens = [Bool](repeating: true, count: opened.count) + [Bool](repeating: false, count: progress.count)
        let law = TurnLaw(turnCounts: counts, opens: opens)
        let mixed = TurnLaw(turnCounts: counts)
        #expect(abs(law.conversationalProbability - 200.0 / 1000) < 1e-12)
        #expect(abs(mixed.conversationalProbability - 260.0 / 1100) < 1e-12)
        // Later turns from every session: n2 = 260, n3 = 130, n4 = 40 -> p2 = 0.5, p3 = 40 / 130.
        #expect(law.continuation == mixed.continuation && law.continuation == [0.5, 40.0 / 130])
    }

    /// Sessions cut by a trace's end: counted as ended they make the law too short (the test can
    /// fail); read with the gaps' survival, the chance of a second turn and of a third are each
    /// within 4 standard errors of the law the sessions were drawn from.
    @Test func turnLawUndoesTheTracesEnd() {
        var rng = Xoshiro256(seed: 23)
        let (span, c, p) = (1000.0, 0.5, 0.6)
        let gapLaw = Distribution(.exponential(rate: 0.01))
        var counts: [Int] = [], remaining: [Double] = [], gaps: [(after: Int, seconds: Double)] = []
        for _ in 0..<20_000 {
            var time = Double.random(in: 0..<span, using: &rng)
            var turns = 1
            while turns < 20 && rng.nextUnit() < (turns == 1 ? c : p) {
                let gap = gapLaw.sample(using: &rng)
                guard time + gap <= span else { break }  // beyond the end: not in the trace
                gaps.append((turns, gap))
                time += gap
                turns += 1
            }
            counts.append(turns)
            remaining.append(span - time)
        }
        let naive = TurnLaw(turnCounts: counts)
        let read = TurnLaw(turnCounts: counts, censoring: TurnLaw.Censoring(remaining: remaining, gaps: gaps))
        let se = (c * (1 - c) / 20_000).squareRoot()
        #expect(c - naive.conversationalProbability > 4 * se, "naive \(naive.conversationalProbability)")
        #expect(abs(read.conversationalProbability - c) <= 4 * se, "\(read.conversationalProbability) vs \(c)")
        let seP = (p * (1 - p) / (20_000 * c)).squareRoot()
        #expect(abs(read.continuation[0] - p) <= 4 * seP, "\(read.continuation[0]) vs \(p)")
    }

    @Test func scheduleHasMeanOneOverTheSpan() {
        var rng = Xoshiro256(seed: 2)
        let times = (0..<5000).map { _ in Double.random(in: 0..<1000, using: &rng) * Double.random(in: 0.5..<1, using: &rng) }.sorted()
        for bandwidth in [0.0, 1, 3] {
            let schedule = RateSchedule.fitted(times, span: 1000, width: 60, bandwidth: bandwidth)
            #expect(abs(schedule.integral(to: 1000) - 1000) < 1e-6)
            #expect(schedule.multipliers.allSatisfy { $0 >= 0 })
        }
    }

    /// A Poisson count with mean `mean`: events of a unit-rate process before `mean`.
    static func poisson(_ mean: Double, using rng: inout Xoshiro256) -> Double {
        var count = 0.0, t = -log(1 - Double.random(in: 0..<1, using: &rng))
        while t < mean {
            count += 1
            t -= log(1 - Double.random(in: 0..<1, using: &rng))
        }
        return count
    }

    /// The windowed rates of a Poisson stream are its load plus count noise
    /// (variance rate / window per window). Replayed, a schedule carries
    /// that noise in full; denoised it keeps the load's variation and at
    /// most a quarter of the noise (what a band of periodogram ordinates
    /// cannot tell from it), and a flat load stays nearly flat.
    @Test(arguments: [0.0, 0.1, 0.2])
    func aDenoisedScheduleKeepsTheLoadsVariationAndDropsTheCountNoise(amplitude: Double) {
        let n = 120, width = 60.0, rate = 1.0, seeds = 100
        let load = (0..<n).map { rate * (1 + amplitude * sin(2 * Double.pi * Double($0) / 25) + amplitude * sin(2 * Double.pi * Double($0) / 7)) }
        func variance(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
        }
        let signal = variance(load), noise = rate / width
        let flatNoise = SpectralShrink.banded([Double](repeating: noise, count: n))
        var rng = Xoshiro256(seed: 7)
        var raw: [Double] = [], kept: [Double] = []
        for _ in 0..<seeds {
            let rates = load.map { Self.poisson($0 * width, using: &rng) / width }
            let times = rates.enumerated().flatMap { i, r in (0..<Int(r * width)).map { Double(i) * width + (Double($0) + 0.5) * width / (r * width) } }
            let (schedule, _) = RateSchedule.denoised(times, span: Double(n) * width, width: width, noise: flatNoise)
            #expect(schedule.step && schedule.times.count == n && abs(schedule.integral(to: Double(n) * width) - Double(n) * width) < 1e-6)
            let mean = rates.reduce(0, +) / Double(n)
            raw.append(variance(rates) - signal)
            kept.append(variance(schedule.multipliers.map { $0 * mean }) - signal)
        }
        /// The mean excess over the load's variance in noise units, and its standard error.
        func excess(_ v: [Double]) -> (Double, Double) {
            let m = v.reduce(0, +) / Double(v.count)
            return (m / noise, (variance(v) / Double(v.count)).squareRoot() / noise)
        }
        let (replayed, replayedSE) = excess(raw), (denoised, denoisedSE) = excess(kept)
        #expect(abs(replayed - 1) <= 3 * replayedSE, "replayed: load + \(replayed) x noise (SE \(replayedSE))")
        #expect(denoised >= -3 * denoisedSE && denoised <= 0.25 + 3 * denoisedSE, "denoised: load + \(denoised) x noise (SE \(denoisedSE))")
    }

    @Test func aSteppedScheduleHoldsEachValueOverItsWindow() {
        var schedule = RateSchedule(times: [0, 60, 120], multipliers: [1, 2, 4], step: true)
        #expect(schedule.value(at: 59.9) == 1 && schedule.value(at: 60) == 2 && schedule.value(at: 500) == 4)
        #expect(schedule.integral(to: 90) == 120 && schedule.integral(to: 180) == 60 + 120 + 240)
        schedule.normalise(over: 180)
        #expect(abs(schedule.integral(to: 180) - 180) < 1e-9)
        let shuffled = schedule.shuffled(width: 60, plan: BlockPlan(windows: 3, width: 60, span: 180), periods: 2)
        #expect(shuffled.step && shuffled.times == (0..<6).map { Double($0) * 60 })
        #expect(schedule.repeating(width: 60) == RateSchedule(times: [0, 60, 120], multipliers: schedule.multipliers, repeatSeconds: 180, step: true))
    }

    @Test func burstFitRecoversAnMMPPFromItsIDCCurve() {
        let truth = MarkovBursts(states: [.init(multiplier: 0.6, meanDurationSeconds: 20), .init(multiplier: 1.4, meanDurationSeconds: 20)])
        let windows: [Double] = [1, 2, 5, 10, 20, 30]
        let excess = windows.map { truth.indexOfDispersion(window: $0, rate: 5, baseIDC: 0) }
        let fitted = BurstFit.fit(windows: windows, excess: excess, rate: 5)
        let states = fitted?.bursts.states ?? []
        #expect(states.count == 2)
        // Grid steps: d by a factor 7200^(1/60) ~ 1.16, a by 0.02.
        #expect(abs((states.first?.meanDurationSeconds ?? 0) / 20 - 1) < 0.17)
        #expect(abs((states.last?.multiplier ?? 0) - 1.4) < 0.03)
    }
}
