import Foundation
import Testing
import WorkloadConfig
import WorkloadDaemon

/// Every key just outside its documented range: 78 from `validate` and from
/// `run`, naming the key; the bound itself loads.
///
/// Every row goes through the code both commands run before anything else
/// (`Configuration.load`, then `Preflight.check`; `run` with its `--duration`
/// override applied first), in process; a handful of rows, spread over the table,
/// also go through the binary, which shows that the commands call that code and
/// turn its error into exit 78 with the key on standard error.
@Suite(.timeLimit(.minutes(10)))
struct ConfigBoundsTests {
    /// The top of a key path as messages write it (without list indices
    /// inside the row's distribution parameters).
    static func messagePrefix(_ path: String) -> String {
        let parts = path.split(separator: ".")
        // A whole-mapping value (librdkafka properties, a distribution) is reported under its own key.
        return parts.count > 2 ? parts.prefix(3).joined(separator: ".") : path
    }

    /// What `validate` (no override) or `run --duration 1` finds wrong with `file`: the
    /// error's text, or nil when the configuration passes.
    static func startupError(_ file: URL, runOverride: Bool) -> String? {
        do throws(ConfigError) {
            var configuration = try Configuration.load(path: file.path)
            if runOverride { configuration.override(duration: 1) }
            _ = try Preflight.check(configuration)
            return nil
        } catch {
            return error.description
        }
    }

    /// Rows also checked through the binary: the first, the last, and every 20th.
    static func spawned(_ index: Int) -> Bool {
        index % 20 == 0 || index == BoundsTable.rows.count - 1
    }

    @Test func everyKeyJustOutsideItsRangeExits78FromValidateAndRun() async throws {
        var failures: [String] = []
        var spawns = 0
        for (index, row) in BoundsTable.rows.enumerated() {
            var tree = try BoundsTable.base()
            try tree.set(row.path, yaml: row.outside)
            let file = try temporaryFile("bound-\(index).yaml", contents: try tree.yaml())
            let prefix = Self.messagePrefix(row.path)
            for (name, runOverride) in [("validate", false), ("run", true)] {
                let error = Self.startupError(file, runOverride: runOverride)
                if !(error ?? "").contains(prefix) {
                    failures.append("\(row.path): \(row.outside) \(name) (in process): \(error.map { String($0.prefix(300)) } ?? "passed")")
                }
            }
            guard Self.spawned(index) else { continue }
            let validate = try await runCLI(["validate", "--config", file.path], timeout: 30)
            let run = try await runCLI(["run", "--config", file.path, "--sink", "null", "--duration", "1", "--speed", "max"], timeout: 30)
            spawns += 2
            for (name, result) in [("validate", validate), ("run", run)] {
                if result.status != 78 || !result.stderr.contains(prefix) {
                    failures.append("\(row.path): \(row.outside) \(name) exited \(result.status): \(result.stderr.prefix(300))")
                }
            }
        }
        print("\(BoundsTable.rows.count) rows checked in process, \(spawns) through the binary")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func everyBoundItselfLoads() async throws {
        var failures: [String] = []
        for (index, row) in BoundsTable.rows.enumerated() {
            guard let inside = row.inside else { continue }
            var tree = try BoundsTable.base()
            try tree.set(row.path, yaml: inside)
            let file = try temporaryFile("inside-\(index).yaml", contents: try tree.yaml())
            if let error = Self.startupError(file, runOverride: false) {
                failures.append("\(row.path): \(inside) (in process): \(error.prefix(300))")
            }
            guard Self.spawned(index) else { continue }
            let validate = try await runCLI(["validate", "--config", file.path], timeout: 30)
            if validate.status != 0 { failures.append("\(row.path): \(inside) exited \(validate.status): \(validate.stderr.prefix(300))") }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    @Test func commandLineValuesOutsideTheirRangeExit64() async throws {
        let config = repositoryRoot.appendingPathComponent("config/example.yaml").path
        for extra in [["--speed", "inf"], ["--speed", "nan"], ["--speed", "0"], ["--speed", "-1"], ["--speed", "1e300"],
                      ["--brokers", ""], ["--brokers", "127.0.0.1:99999"], ["--brokers", "a:1,,b:2"],
                      ["--metrics-listen", "127.0.0.1:70000"], ["--metrics-listen", "nowhere"]] {
            let result = try await runCLI(["run", "--config", config, "--duration", "1", "--sink", "null"] + extra, timeout: 30)
            #expect(result.status == 64, "\(extra): \(result.status) \(result.stderr.prefix(300))")
        }
    }
}
