import WorkloadModel

extension Pacer {
    /// The pacer of a run continued after a restart (`clock.on_resume: catch_up`):
    /// anchored where the first start anchored virtual time 0, so that the events
    /// that fell due while the daemon was down are due in the past (published at
    /// once, their lateness recorded) and pacing then resumes.
    static func resumed(mode: PacingMode, anchorUnixNanoseconds anchor: Int64, nowUnixNanoseconds: Int64,
                        clock: any WallClock) -> Pacer {
        let now = clock.now()
        let elapsed = UInt64(max(0, nowUnixNanoseconds - anchor))
        if now >= elapsed {
            return Pacer(mode: mode, virtualStartNanoseconds: 0, wallStartNanoseconds: now - elapsed, clock: clock)
        }
        // The monotonic clock started after the anchor (a reboot): anchor at the virtual time due now.
        let due: Double
        switch mode {
        case .max: due = 0
        case .realtime: due = Double(elapsed)
        case .accelerated(let speed): due = Double(elapsed) * speed
        }
        return Pacer(mode: mode, virtualStartNanoseconds: VirtualNanoseconds(min(due, 9e18)), wallStartNanoseconds: now, clock: clock)
    }
}
