import Testing
@testable import WorkloadModel

@Suite struct RandomTests {
    @Test func splitMix64MatchesReferenceOutput() {
        // Reference outputs of Vigna's splitmix64.c for seed 1234567.
        var rng = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect((0..<5).map { _ in rng.next() } == expected)
    }

    @Test func xoshiro256StarStarMatchesReferenceOutput() {
        // Reference outputs of xoshiro256starstar.c from the state {1, 2, 3, 4}.
        var rng = Xoshiro256(state: (1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240]
        #expect((0..<4).map { _ in rng.next() } == expected)
    }

    @Test func childStreamsDependOnIdentityNotOrder() {
        let a1 = Xoshiro256(seed: 42, identity: StreamIdentity("session", "chat").appending(7))
        _ = Xoshiro256(seed: 42, identity: StreamIdentity("session", "code").appending(7))
        let a2 = Xoshiro256(seed: 42, identity: StreamIdentity("session", "chat").appending(7))
        #expect(a1 == a2)
        #expect(a1 != Xoshiro256(seed: 42, identity: StreamIdentity("session", "chat").appending(8)))
        #expect(a1 != Xoshiro256(seed: 43, identity: StreamIdentity("session", "chat").appending(7)))
        // Component boundaries matter: ("ab", "c") is not ("a", "bc").
        #expect(StreamIdentity("ab", "c") != StreamIdentity("a", "bc"))
    }

    @Test func openUnitNeverHitsTheBounds() {
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<100_000 {
            let u = rng.nextOpenUnit()
            #expect(u > 0 && u < 1)
        }
    }

    @Test func boundedIntegersAreUniform() {
        // Chi-square over 7 cells with 70,000 draws: 6 dof, 1% critical value 16.81.
        var rng = Xoshiro256(seed: 3)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[Int(rng.nextBelow(7))] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow2(Double($1) - 10_000) / 10_000 }
        #expect(chi2 < 16.81)
    }
}

func pow2(_ x: Double) -> Double { x * x }
