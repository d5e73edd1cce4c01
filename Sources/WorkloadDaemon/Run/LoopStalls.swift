#if canImport(Glibc)
import Glibc
#endif
import WorkloadKafka

private func ms(_ ns: UInt64) -> String {
    let hundredths = (ns + 5_000) / 10_000
    let frac = String(hundredths % 100)
    return "\(hundredths / 100).\(frac.count == 1 ? "0" + frac : frac)"
}

/// DIAGNOSTIC (investigation build): per iteration of the paced loop, wall and own CPU time of each
/// segment (next event, the wait's overshoot past max(arrival, due), publish, after), with the
/// thread's involuntary switches and minor faults; keeps the worst iterations.
struct LoopStalls {
    struct Point {
        var wall: UInt64 = 0, cpu: UInt64 = 0, nivcsw: Int = 0, minflt: Int = 0
    }
    struct Segment: CustomStringConvertible {
        var wall: UInt64 = 0, cpu: UInt64 = 0, nivcsw: Int = 0, minflt: Int = 0
        var description: String {
            "\(ms(wall))/\(ms(cpu))ms(cs\(nivcsw),pf\(minflt))"
        }
    }
    struct Iteration: CustomStringConvertible {
        var index = 0
        var next = Segment(), overshoot = Segment(), publish = Segment(), after = Segment()
        var lateness: UInt64 = 0
        var sinceSnapshot: UInt64 = 0
        var cost: UInt64 { next.wall + overshoot.wall + publish.wall + after.wall }
        var description: String {
            "#\(index) late=\(ms(lateness))ms since_snap=\(ms(sinceSnapshot))ms next=\(next) overshoot=\(overshoot) publish=\(publish) after=\(after)"
        }
    }

    static func point(wall: UInt64) -> Point {
        var usage = rusage()
        getrusage(__rusage_who_t(1), &usage)  // RUSAGE_THREAD
        return Point(wall: wall, cpu: SteadyClock.threadCPUNanoseconds(), nivcsw: usage.ru_nivcsw, minflt: usage.ru_minflt)
    }

    static func segment(_ a: Point, _ b: Point) -> Segment {
        Segment(wall: b.wall &- a.wall, cpu: b.cpu &- a.cpu, nivcsw: b.nivcsw - a.nivcsw, minflt: b.minflt - a.minflt)
    }

    var start = Point(), taken = Point(), waited = Point(), published = Point()
    var current = Iteration()
    var worst: [Iteration] = []
    var count = 0
    /// Segment totals by kind: wall, cpu, off-cpu worst.
    var nextCPU = StepTimes(), nextOff = StepTimes(), overshootWall = StepTimes(), overshootCPU = StepTimes()
    var publishCPU = StepTimes(), publishOff = StepTimes(), afterCPU = StepTimes(), afterOff = StepTimes()
    /// The next-event step of the first iterations after a snapshot.
    var nextAfterSnapshot = StepTimes(), nextAfterSnapshotFaults = 0
    var sinceSnapshotIterations = Int.max
    var lastSnapshotAt: UInt64 = 0
    var totalFaults = 0, totalSwitches = 0

    init(now: UInt64) { start = Self.point(wall: now) }

    mutating func nextTaken(at now: UInt64) { taken = Self.point(wall: now) }

    mutating func waited(at now: UInt64, due: UInt64?, lateness: UInt64?) {
        waited = Self.point(wall: now)
        var overshoot = Self.segment(taken, waited)
        if let due, due > taken.wall {
            // Only the part past the due instant: sleeping until due is not a stall.
            overshoot.wall = now > due ? now - due : 0
        } else if due == nil {
            overshoot.wall = 0
        }
        current.overshoot = overshoot
        current.lateness = lateness ?? 0
    }

    mutating func published(at now: UInt64) { published = Self.point(wall: now) }

    mutating func afterDone(at now: UInt64, snapshotAt: UInt64?) {
        let end = Self.point(wall: now)
        current.index = count
        current.next = Self.segment(start, taken)
        current.publish = Self.segment(waited, published)
        current.after = Self.segment(published, end)
        current.sinceSnapshot = lastSnapshotAt == 0 ? 0 : start.wall &- lastSnapshotAt
        let c = current
        nextCPU.add(c.next.cpu); nextOff.add(c.next.wall &- min(c.next.wall, c.next.cpu))
        overshootWall.add(c.overshoot.wall); overshootCPU.add(c.overshoot.cpu)
        publishCPU.add(c.publish.cpu); publishOff.add(c.publish.wall &- min(c.publish.wall, c.publish.cpu))
        afterCPU.add(c.after.cpu); afterOff.add(c.after.wall &- min(c.after.wall, c.after.cpu))
        totalFaults += c.next.minflt + c.overshoot.minflt + c.publish.minflt + c.after.minflt
        totalSwitches += c.next.nivcsw + c.overshoot.nivcsw + c.publish.nivcsw + c.after.nivcsw
        if sinceSnapshotIterations < 3 {
            nextAfterSnapshot.add(c.next.cpu)
            nextAfterSnapshotFaults += c.next.minflt
        }
        sinceSnapshotIterations &+= 1
        if let snapshotAt, snapshotAt != lastSnapshotAt {
            lastSnapshotAt = snapshotAt
            sinceSnapshotIterations = 0
        }
        if worst.count < 16 || c.cost > worst[worst.count - 1].cost {
            worst.append(c)
            worst.sort { $0.cost > $1.cost }
            if worst.count > 16 { worst.removeLast() }
        }
        count += 1
        start = end
        current = Iteration()
    }

    var report: String {
        var lines = [
            "iterations=\(count) faults=\(totalFaults) invol_switches=\(totalSwitches)",
            "next cpu \(nextCPU) | next off-cpu \(nextOff)",
            "overshoot wall \(overshootWall) | overshoot cpu \(overshootCPU)",
            "publish cpu \(publishCPU) | publish off-cpu \(publishOff)",
            "after cpu \(afterCPU) | after off-cpu \(afterOff)",
            "next cpu, 3 iterations after each snapshot \(nextAfterSnapshot) faults=\(nextAfterSnapshotFaults)",
        ]
        lines += worst.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
