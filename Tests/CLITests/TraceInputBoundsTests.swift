import Foundation
import Glibc
import Testing

/// Traces that are not files, lines without end, and a bad row past the run's end:
/// every command that reads a trace answers promptly and they all agree. Run through
/// `runMeasured`, whose timeout kills a child that hangs (a FIFO with no writer used to
/// block the open forever).
@Suite(.timeLimit(.minutes(10)))
struct TraceInputBoundsTests {
    /// A FIFO nobody writes to.
    func fifo() throws -> String {
        let url = try temporaryFile("no-writer-\(UUID().uuidString).fifo")
        #expect(mkfifo(url.path, 0o600) == 0)
        return url.path
    }

    @Test("workload.replay.file naming /dev/zero or a FIFO with no writer: validate, generate and run exit 78 at once, naming the key")
    func notARegularFileInTheConfiguration() async throws {
        let fifo = try fifo()
        defer { unlink(fifo) }
        for (path, kind) in [("/dev/zero", "a character device"), (fifo, "a FIFO"), (FileManager.default.temporaryDirectory.path, "a directory")] {
            let config = try temporaryFile("replay-irregular.yaml", contents: TraceFixtures.yaml(path, "azure"))
            for command in [["validate", "-c", config.path], ["generate", "-c", config.path, "-o", "/dev/null"],
                            ["run", "-c", config.path, "--sink", "null"]] {
                let result = try await runMeasured(command, timeout: 20)
                print("\(command[0]) with \(path) as the trace: exit \(result.status) after \(result.wallSeconds) s")
                #expect(!result.timedOut, "\(command[0]) with \(path) hung")
                #expect(result.status == 78, "\(command[0]) \(path): \(result.stderr)")
                #expect(result.stderr.contains("workload.replay.file: not a regular file (\(kind))"), "\(result.stderr)")
            }
        }
    }

    @Test("fit and convert on /dev/zero or a FIFO with no writer: exit 65 at once, naming the file")
    func notARegularFileOnTheCommandLine() async throws {
        let fifo = try fifo()
        defer { unlink(fifo) }
        let out = try temporaryFile("irregular-out.yaml").path
        for path in ["/dev/zero", fifo] {
            for command in [["fit", path, "--format", "azure", "--out", out], ["convert", path, "--from", "azure", "--to", "jsonl", "/dev/null"]] {
                let result = try await runMeasured(command, timeout: 20)
                print("\(command[0]) \(path): exit \(result.status) after \(result.wallSeconds) s, peak \(result.peakRSSKiB) KiB")
                #expect(!result.timedOut, "\(command[0]) \(path) hung")
                #expect(result.status == 65, "\(command[0]) \(path): \(result.stderr)")
                #expect(result.stderr.contains("\(path): is not a regular file"), "\(result.stderr)")
            }
        }
    }

    // No assertion on the child's peak memory: wait4 counts the spawning test process's
    // pages too, which vary with the tests running beside this one.
    @Test("a line longer than 1 MiB: exit 65 naming the file and line, at the bound")
    func longLine() async throws {
        let trace = try temporaryFile("long-line.csv")
        // Written in pieces: the spawned child's peak memory must not include this process's.
        try Data("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n".utf8).write(to: trace)
        let file = try FileHandle(forWritingTo: trace)
        try file.seekToEnd()
        let piece = Data(repeating: UInt8(ascii: "7"), count: 1 << 20)
        for _ in 0..<64 { try file.write(contentsOf: piece) }  // 64 MiB, no newline
        try file.close()
        defer { try? FileManager.default.removeItem(at: trace) }
        let config = try temporaryFile("replay-long-line.yaml", contents: TraceFixtures.yaml(trace.path, "azure"))
        for command in [["validate", "-c", config.path], ["generate", "-c", config.path, "-o", "/dev/null"]] {
            let result = try await runMeasured(command, timeout: 60)
            print("\(command[0]) with a 64 MiB line: exit \(result.status)")
            #expect(result.status == 65, "\(result.stderr)")
            #expect(result.stderr.contains("\(trace.path):3: line longer than 1048576 bytes"), "\(result.stderr)")
        }
    }

    @Test("a bad row after --duration: generate exits 65 like validate and run, and writes nothing")
    func badRowAfterTheDuration() async throws {
        let rows = try String(contentsOfFile: TraceFixtures.azure, encoding: .utf8)
        // The fixture spans about 84 s; the bad row comes last, far past a 5 s run.
        let trace = try temporaryFile("late-bad-row.csv", contents: rows + "2023-11-16 18:17:11.0,3x4,44\n")
        let config = try temporaryFile("replay-late-bad-row.yaml", contents: TraceFixtures.yaml(trace.path, "azure"))
        let out = try temporaryFile("late-bad-row.jsonl")
        let generate = try await runMeasured(["generate", "-c", config.path, "--duration", "5", "-o", out.path], timeout: 60)
        let validate = try await runMeasured(["validate", "-c", config.path], timeout: 60)
        print("bad row after the duration: generate exit \(generate.status), validate exit \(validate.status)")
        #expect(validate.status == 65)
        #expect(generate.status == 65, "\(generate.stderr)")
        #expect(generate.stderr.contains("\(trace.path):302:"), "\(generate.stderr)")
        let written = (try? Data(contentsOf: out)) ?? Data()
        #expect(written.isEmpty, "nothing is written before the whole trace was read")
    }
}
