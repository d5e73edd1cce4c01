import WorkloadModel

extension Configuration {
    /// A run is its configuration, seed, bounds and start anchor; a restart must match all four.
    /// The first three are in `deriveRunID`; an explicit `clock.start` is in
    /// the configuration text. With `clock.start: now` the anchor is chosen
    /// when the run starts: `run` calls this with it, so a `run` started at
    /// another instant is another run. `generate` anchors at the Unix epoch,
    /// which adds nothing: its `run_id` stays what it always was, and with an
    /// explicit `clock.start` `run` and `generate` agree byte for byte.
    public mutating func anchorRunID(atUnixNanoseconds start: Int64) {
        guard !runIDWasGiven, clock.startUnixNanoseconds == nil, start != 0 else { return }
        deriveRunID()
        var identity = StreamIdentity("run-anchor")
        identity.append(UInt64(runID, radix: 16) ?? 0)
        identity.append(UInt64(bitPattern: start))
        runID = String(identity.hash, radix: 16).leftPadded(to: 16)
    }
}
