import Foundation
import Testing
import TestSupport

/// The repository root, from this file's location (Tests/WorkloadDaemonTests/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("systemd units", .integration, .tags(.integration), .timeLimit(.minutes(10)))
struct SystemdUnitTests {
    @Test(
        "systemd/verify.sh: units verify cleanly and rate OK or better",
        .needs(.systemdAnalyze), .timeLimit(.minutes(10))
    )
    func verifyScript() async throws {
        let script = repositoryRoot.appendingPathComponent("systemd/verify.sh")
        _ = try ExternalTool.systemdAnalyze.require()
        let result = try await runProcess("/bin/bash", [script.path], timeout: 90)
        let text = result.output + result.stderr
        #expect(result.status == 0, "verify.sh failed:\n\(text)")
        // Both units were really checked, not skipped.
        #expect(text.contains("ok   verify llm-workload@0-3.service"), "\(text)")
        #expect(text.contains("Overall exposure level for llm-workload.service"), "\(text)")
        #expect(text.contains("Overall exposure level for llm-workload@0-3.service"), "\(text)")
    }

    @Test("the template passes the shard as k/n from instance k-n")
    func templateShard() throws {
        let template = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/llm-workload@.service"), encoding: .utf8)
        let execStart = template.split(separator: "\n").filter { $0.hasPrefix("ExecStart=") }
        #expect(execStart == ["ExecStart=/usr/local/bin/llm-workload run --config /etc/llm-workload/config.yaml --shard %I"])
        let unit = try String(contentsOf: repositoryRoot.appendingPathComponent("systemd/llm-workload.service"), encoding: .utf8)
        for line in ["Type=notify", "NotifyAccess=main", "WatchdogSec=30", "Restart=on-failure",
                     "RestartPreventExitStatus=78 64", "ExecStart=/usr/local/bin/llm-workload run --config /etc/llm-workload/config.yaml"] {
            #expect(unit.split(separator: "\n").contains(Substring(line)), "missing \(line)")
        }
    }
}
