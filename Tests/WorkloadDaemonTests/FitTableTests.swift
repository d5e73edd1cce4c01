import Testing
import TestSupport
import WorkloadModel
@testable import WorkloadTraces

/// `fit`'s table judges the 600 s IDC on any trace with two whole windows, and
/// says under the table when they are fewer than a model whose expected figure
/// is the trace's needs to meet the tolerance about 19 times in 20 from noise
/// alone; under two windows the row is shown for information.
@Suite struct FitTableTests {
    /// A Poisson stream at 2 requests/s over `span` seconds.
    static func sample(span: Double, seed: UInt64) -> RequestSample {
        var rng = Xoshiro256(seed: seed)
        var sample = RequestSample()
        sample.span = span
        var t = 0.0
        while true {
            t += -Double.log(1 - Double.random(in: 0..<1, using: &rng)) / 2
            guard t < span else { break }
            sample.times.append(t)
            sample.prompt.append(100)
            sample.output.append(10)
            sample.turn.append(1)
        }
        return sample
    }

    @Test func thirtyOneWindowsAreTheFewestWhereTwiceTheStandardErrorIsWithinThirtyPercent() {
        #expect(FitTable.fewestWindows(seeds: 3, tolerance: 0.30) == 31)
        #expect(2 * FitTable.idcStandardError(windows: 31, seeds: 3) <= 0.30)
        #expect(2 * FitTable.idcStandardError(windows: 30, seeds: 3) > 0.30)
        // An hour's five windows: the mean of three streams is off by 41% (one standard error) as often as not.
        #expect(abs(FitTable.idcStandardError(windows: 5, seeds: 3) - 0.408) < 0.001)
    }

    /// Spans (under two windows, an hour's export, six hours', just over and just under 31 windows),
    /// whether the row carries a caution, and whether it is judged.
    static let spans: [(Double, Bool, Bool)] = [(1199, true, false), (3599, true, true), (21599, false, true), (18601, false, true), (18599, true, true)]

    @Test(arguments: spans)
    func theSixHundredSecondIDCIsCautionedOnFewWindows(span: Double, cautioned: Bool, judged: Bool) throws {
        let real = FitFigures(Self.sample(span: span, seed: 1))
        let runs = (2...4).map { FitFigures(Self.sample(span: span, seed: UInt64($0))) }
        let table = FitTable(real: real, generated: FitFigures.mean(runs), runs: runs)
        let row = try #require(table.row("IDC of counts, 600 s"))
        #expect(row.informational == !judged, "\(real.windows600) windows")
        #expect((row.caution != nil) == cautioned, "\(real.windows600) windows")
        #expect(try #require(table.row("IDC of counts, 60 s")).caution == nil)
        #expect(table.text.contains("relative standard error") == (cautioned && judged))
        if judged {
            #expect(["yes", "NO"].contains(table.cells(row).last), "a judged row says whether it is met")
            if cautioned { #expect(row.caution!.contains("from \(real.windows600) whole 600 s windows") && row.caution!.contains("from 31 windows")) }
        } else {
            #expect(table.cells(row).last == "too short" && row.caution!.contains("too short to judge"))
        }
    }
}
