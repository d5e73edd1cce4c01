/// The engine's side of `load`: one `LoadClock` per arrival
/// stream, fed the stream's gaps in operational time. Without a load the
/// engine never comes here (its arrivals are today's, byte for byte).
extension WorkloadEngine {
    static func loadClocks(for spec: WorkloadSpec, start: VirtualNanoseconds) -> ContiguousArray<LoadClock> {
        let workload = spec.load.flatMap { $0.isIdentity ? nil : $0 }
        func perProfile(_ profile: ClientProfile) -> LoadSpec? {
            spec.arrivalMode == .superposition ? profile.load.flatMap { $0.isIdentity ? nil : $0 } : nil
        }
        guard workload != nil || spec.profiles.contains(where: { perProfile($0) != nil }) else { return [] }
        let workloadShape = workload.map(LoadShape.init)
        func clock(_ own: LoadSpec?, name: String?) -> LoadClock {
            var shapes: [LoadShape] = []
            var paths: [BurstPath] = []
            if let workloadShape { shapes.append(workloadShape) }
            if let bursts = workload?.bursts {
                // Every stream walks its own copy of the one workload-wide path.
                paths.append(BurstPath(bursts, rng: Xoshiro256(seed: spec.seed, identity: StreamIdentity("bursts")), start: start))
            }
            if let own, let name {
                shapes.append(LoadShape(own))
                if let bursts = own.bursts {
                    paths.append(BurstPath(bursts, rng: Xoshiro256(seed: spec.seed, identity: StreamIdentity("bursts", name)), start: start))
                }
            }
            return LoadClock(shapes: shapes, paths: paths, start: start)
        }
        switch spec.arrivalMode {
        case .mixture:
            return [clock(nil, name: nil)]
        case .superposition:
            return ContiguousArray(spec.profiles.map { clock(perProfile($0), name: $0.name) })
        }
    }

    /// The virtual time of a stream's next arrival, `delay` later in operational time.
    mutating func loadedArrival(stream: Int, after delay: VirtualNanoseconds) -> VirtualNanoseconds {
        operationalTime[stream] = operationalTime[stream].saturatingAdd(delay)
        return loadClocks[stream].time(atOperational: operationalTime[stream], limit: horizon)
    }
}
