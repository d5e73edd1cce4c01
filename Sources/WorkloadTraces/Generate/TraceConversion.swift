import WorkloadModel
import WorkloadConfig

/// `convert`: a trace read in one format and written in another, row for row
/// (an instant link, so each row keeps its time). Calendar timestamps (Azure)
/// are anchored at the first row's own time.
package enum TraceConversion {
    package static func configuration(input: String, from: TraceFormat) throws(TraceError) -> Configuration {
        let spec = WorkloadSpec(seed: 0, bytesPerToken: 0, network: NetworkLink(latencySeconds: 0), profiles: [])
        var configuration = Configuration(workload: spec, runID: "convert")
        configuration.replay = ReplayConfiguration(file: input, format: from)
        let first = try TraceReader(path: input, format: from).next()
        configuration.clock.startUnixNanoseconds = first?.timestamp ?? 0
        return configuration
    }

    package static func convert(
        _ input: String, from: TraceFormat, to: TraceFormat, output: FileOutput
    ) throws(ReplayFailure) -> (GenerationSummary, ReplaySource) {
        let configuration: Configuration
        do { configuration = try self.configuration(input: input, from: from) } catch { throw .trace(error) }
        return try ReplayGenerator.write(configuration, format: to, to: output)
    }
}
