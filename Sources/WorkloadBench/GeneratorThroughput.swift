import WorkloadModel

/// Events per second of the generator without a sink, on the calling thread
/// (one core): `core` is the model alone, `json` adds serialising every event
/// as a JSON Lines line into a reused buffer that is never written anywhere.
enum GeneratorThroughput {
    /// Steps the model `events` times.
    static func core(_ spec: WorkloadSpec, events: Int) -> Throughput {
        var engine = WorkloadEngine(spec: spec)
        var checksum: UInt64 = 0
        let watch = Stopwatch()
        for _ in 0..<events {
            guard let event = engine.next() else { break }
            // Fold the event into a value that is used, so the work cannot be dropped.
            checksum &+= event.seq ^ UInt64(truncatingIfNeeded: event.time)
        }
        let run = Throughput(events: events, seconds: watch.elapsedSeconds, cpuSeconds: watch.threadCPUSeconds)
        blackHole(checksum)
        return run
    }

    /// Steps the model and encodes every event, `events` times.
    static func json(_ spec: WorkloadSpec, encoder: EventEncoder, events: Int) -> Throughput {
        var engine = WorkloadEngine(spec: spec)
        var writer = ByteWriter(capacity: 1 << 20)
        var bytes = 0
        let watch = Stopwatch()
        for _ in 0..<events {
            guard let event = engine.next() else { break }
            encoder.encode(event, into: &writer)
            // A null sink that takes 1 MiB chunks, like `generate` writes them.
            if writer.count >= 1 << 20 {
                bytes &+= writer.count
                writer.removeAll()
            }
        }
        let run = Throughput(events: events, seconds: watch.elapsedSeconds, cpuSeconds: watch.threadCPUSeconds)
        blackHole(UInt64(bytes &+ writer.count))
        return run
    }
}

/// Keeps a value alive as far as the optimiser can tell.
@inline(never)
func blackHole(_ value: UInt64) {
    if value == 0x5EED_5EED_5EED_5EED { print("") }
}
