import Foundation
import Testing

/// Bad command-line input and unreadable streams: a clear message naming
/// the argument or the line, and the documented exit status.
@Suite(.timeLimit(.minutes(10)))
struct CommandLineInputTests {
    @Test func statsRefusesALineThatIsNotAnEventWith65NamingFileAndLine() async throws {
        let stream = try await runCLI(["generate", "--config", "config/example.yaml", "--duration", "5"])
        #expect(stream.status == 0)
        var text = stream.output
        text += "garbage\n"
        let file = try temporaryFile("stats-garbage.jsonl", contents: text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let result = try await runCLI(["stats", file.path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(file.path): line \(lines): not an event"), "\(result.stderr)")
        let piped = try await runCLI(["stats", "-"], stdin: Data("not json\n".utf8))
        #expect(piped.status == 65)
        #expect(piped.stderr.contains("standard input: line 1: not an event"), "\(piped.stderr)")
        let clean = try await runCLI(["stats", "-"], stdin: stream.stdout)
        #expect(clean.status == 0)
    }

    @Test func aNegativeSeedIsAUsageErrorSayingWhatASeedIs() async throws {
        for command in [["generate", "--config", "config/example.yaml", "--duration", "1"], ["sample", "--dist", "{type: Exponential, rate: 1}"]] {
            let result = try await runCLI(command + ["--seed", "-1"])
            #expect(result.status == 64, "\(command[0]): \(result.status)")
            #expect(result.stderr.contains("--seed must be a non-negative integer"), "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("(got -1)"), "\(command[0]): \(result.stderr)")
        }
        let fine = try await runCLI(["sample", "--dist", "{type: Exponential, rate: 1}", "-n", "2", "--seed", "7"])
        #expect(fine.status == 0)
    }

    @Test func realtimeWithASpeedIsAUsageError() async throws {
        let result = try await runCLI(["run", "--config", "config/example.yaml", "--sink", "null", "--duration", "1", "--mode", "realtime", "--speed", "max"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--speed applies to --mode accelerated"), "\(result.stderr)")
        let accelerated = try await runCLI(["run", "--config", "config/example.yaml", "--sink", "null", "--duration", "1", "--mode", "accelerated", "--speed", "max"])
        #expect(accelerated.status == 0, "\(accelerated.stderr)")
    }

    @Test func aSummaryOfATrillionDrawsRunsInBoundedMemory() async throws {
        // It would take hours: what matters is that it starts drawing in bounded memory instead of
        // allocating 8 TB up front, so it is still running (and small) when the timeout kills it.
        let result = try await runMeasured(["sample", "--dist", "{type: Exponential, rate: 1}", "-n", "1000000000000", "--summary"], timeout: 5)
        #expect(result.timedOut, "exited \(result.status): \(result.stderr.prefix(300))")
        #expect(result.peakRSSKiB < 400 * 1024, "peak \(result.peakRSSKiB) KiB")
        let printed = try await runMeasured(["sample", "--dist", "{type: Exponential, rate: 1}", "-n", "1000000000000"], timeout: 5)
        #expect(printed.timedOut, "exited \(printed.status): \(printed.stderr.prefix(300))")
        #expect(printed.peakRSSKiB < 400 * 1024, "peak \(printed.peakRSSKiB) KiB")
    }
}
