import WorkloadConfig

extension Configuration {
    /// The profile names the stream's events carry (encoder, metrics): the
    /// client profiles', or the one `replay` of a replayed trace.
    package var streamProfileNames: [String] {
        replay == nil ? workload.profiles.map(\.name) : ["replay"]
    }
}
