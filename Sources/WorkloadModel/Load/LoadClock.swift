/// Maps one arrival stream's operational time onto virtual time:
/// t = Lambda^-1(tau), Lambda(t) = int_start^t m. Gaps drawn in operational
/// time therefore become an inhomogeneous process with intensity
/// proportional to m(t), and a constant m scales the gaps by exactly 1/m.
///
/// Walks m piece by piece (a new piece wherever a schedule point, a spike
/// edge or a burst switch is passed, or after `longestPiece`), keeping
/// Lambda at the piece's start in integer nanoseconds plus a remainder, so
/// the clock stays exact to the nanosecond over long runs.
struct LoadClock: Sendable {
    let shapes: [LoadShape]
    var paths: [BurstPath]
    var piece: LoadPiece
    /// Lambda at the piece's start: whole nanoseconds and the seconds beyond.
    var lambdaNanoseconds: Int64 = 0
    var lambdaRemainder: Double = 0
    /// Offset and F of the last instant returned (the next one is not earlier).
    var x: Double = 0
    var atX: Double = 0
    /// m near x: the next solve's first Newton slope.
    var slope: Double

    /// Bounds a piece so that offsets inside it keep sub-nanosecond precision.
    static let longestPiece: Int64 = 3_600_000_000_000

    init(shapes: [LoadShape], paths: [BurstPath], start: Int64) {
        self.shapes = shapes
        self.paths = paths
        piece = LoadClock.piece(at: start, shapes: shapes, paths: &self.paths)
        slope = piece.density(at: 0)
    }

    static func piece(at start: Int64, shapes: [LoadShape], paths: inout [BurstPath]) -> LoadPiece {
        var end = start.saturatingAdd(longestPiece)
        var factors: [(value: Double, slope: Double)] = []
        var waves: [(amplitude: Double, omega: Double, phase: Double)] = []
        for shape in shapes {
            end = Swift.min(end, shape.linearFactors(at: start, into: &factors))
            if let cycle = shape.diurnal {
                let period = 2 * Double.pi / cycle.omega
                let cycles = (Double(start) / 1e9 - cycle.peak) / period
                waves.append((cycle.amplitude, cycle.omega, 2 * Double.pi * (cycles - cycles.rounded(.down))))
            }
        }
        var constant = 1.0
        for index in paths.indices {
            paths[index].advance(to: start)
            constant *= paths[index].multiplier
            end = Swift.min(end, paths[index].switchAt)
        }
        var polynomial = [constant]
        for factor in factors {
            var product = [Double](repeating: 0, count: polynomial.count + 1)
            for (i, c) in polynomial.enumerated() {
                product[i] += c * factor.value
                product[i + 1] += c * factor.slope
            }
            if factor.slope == 0 { product.removeLast() }
            polynomial = product
        }
        var c0 = 1.0
        if waves.count == 2 {
            let (a, b) = (waves[0], waves[1])
            let half = a.amplitude * b.amplitude / 2
            waves.append((half, a.omega + b.omega, a.phase + b.phase))
            if abs(a.omega - b.omega) < 1e-15 {
                c0 += half * Double.cos(a.phase - b.phase)
            } else {
                waves.append((half, a.omega - b.omega, a.phase - b.phase))
            }
        }
        return LoadPiece(start: start, end: end, polynomial: polynomial, c0: c0, waves: waves)
    }

    /// The virtual time at operational time `tau` (nanoseconds since the
    /// stream's start; never decreasing between calls), or `Int64.max` when
    /// it falls at or after `limit`.
    mutating func time(atOperational tau: Int64, limit: Int64) -> Int64 {
        // A load that stays 0 (possible only in a run with total_duration,
        // which `bench` lifts) ends the stream after the clock's range.
        var walked = 0
        while true {
            let target = Double(tau - lambdaNanoseconds) / 1e9 - lambdaRemainder
            if target <= piece.total {
                if target > atX {
                    (x, slope) = piece.solve(target: target, from: x, atLow: atX, slope: slope)
                    atX = target
                }
                let time = Swift.min(piece.end, piece.start + Int64((x * 1e9).rounded()))
                return time >= limit ? .max : time
            }
            walked += 1
            guard piece.end < limit, piece.end < .max, walked < 300_000 else { return .max }
            var remainder = lambdaRemainder + piece.total
            let whole = (remainder * 1e9).rounded(.down)
            lambdaNanoseconds += Int64(whole)
            remainder -= whole / 1e9
            lambdaRemainder = remainder
            piece = Self.piece(at: piece.end, shapes: shapes, paths: &paths)
            x = 0
            atX = 0
            slope = piece.density(at: 0)
        }
    }
}
