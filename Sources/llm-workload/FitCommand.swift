import ArgumentParser
import Foundation
import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces
import WorkloadModel

extension BeyondSpan: ExpressibleByArgument {}

struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a configuration that reproduces a trace, and print how well it does.",
        discussion: """
            Writes a configuration (documented keys only, commented with what was fitted and how \
            well) and prints a goodness-of-fit table: the trace against the mean of streams \
            generated from that configuration with seeds 1, 2 and 3. --report also writes one \
            self-contained HTML file with the table and charts. A trace that cannot be read exits \
            65; an output that cannot be written 74.
            """
    )

    @Argument(help: "The trace to fit.") var file: String
    @Option(help: "Format of the trace (\(TraceFormat.readableNames)).") var format: TraceFormat
    @Option(help: "Where to write the fitted configuration (YAML).") var out: String
    @Option(help: "Also write an HTML report (table and charts) to this file.") var report: String?
    @Flag(name: .customLong("skip-bad-rows"), help: "Pass over malformed rows and rows going back in time, and count them.")
    var skipBadRows = false
    @Option(name: .customLong("beyond-span"), help: "How the load goes on past the trace's span: shuffled (the trace's blocks of windows in a new random order each period, the first in its own order) or trace (its own windows repeated exactly).")
    var beyondSpan: BeyondSpan = .shuffled

    func run() throws {
        let sample: RequestSample
        let blockTokens: Int64?
        do {
            let read = try RequestSample.read(path: file, format: format, skipBadRows: skipBadRows)
            sample = read.sample
            blockTokens = read.blockTokens
            if read.reader.skipped > 0, let first = read.reader.firstSkipped {
                printError("note: skipped \(read.reader.skipped) bad rows of \(file) (first: \(first))")
            }
        } catch {
            printError("\(error)")
            throw ExitStatus.dataError.exit
        }
        let result: FitResult
        do {
            result = try TraceFitter.fit(sample, blockTokens: blockTokens, source: (file as NSString).lastPathComponent, format: format,
                                         beyondSpan: beyondSpan)
        } catch {
            printError("error: \(error)")
            throw ExitStatus.dataError.exit
        }
        try write(result.yaml, to: out)
        if let report {
            try write(FitHTMLReport(result: result, title: (file as NSString).lastPathComponent).html, to: report)
        }
        print(result.table.text)
        if !result.table.allMet { printError("note: some figures are outside their tolerance (rows marked NO)") }
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            printError("cannot write \(path): \(error.localizedDescription)")
            throw ExitStatus.ioError.exit
        }
    }
}
