import ArgumentParser
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a trace between formats (azure, mooncake, burstgpt, jsonl).",
        discussion: """
            Every row becomes a row at the same time and with the same token counts (and \
            hash_ids where both formats have them). Exit 65 for a trace that cannot be read, \
            64 when the target format cannot hold the trace (mooncake needs hash_ids).
            """
    )

    @Option(help: "Format of IN.") var from: TraceFormat
    @Option(help: "Format of OUT.") var to: TraceFormat
    @Argument(help: "The trace to read.") var input: String
    @Argument(help: "Output file, or - (the default) for standard output.") var output: String = "-"

    func run() throws {
        let out: FileOutput
        do {
            out = try FileOutput(path: output)
        } catch {
            printError("cannot open \(output): \(error)")
            throw ExitStatus.ioError.exit
        }
        do {
            let (_, source) = try TraceConversion.convert(input, from: from, to: to, output: out)
            reportSkipped(source)
        } catch {
            throw exitStatus(for: error)
        }
    }
}
