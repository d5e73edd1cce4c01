import Testing
import Foundation
@testable import WorkloadDaemon

/// The exit-status table against sysexits(3), written out here by hand so that
/// a changed code in the table fails.
@Suite struct ExitStatusTableTests {
    static let sysexits: [String: Int32] = [
        "EX_OK": 0, "EX_USAGE": 64, "EX_DATAERR": 65, "EX_UNAVAILABLE": 69, "EX_SOFTWARE": 70,
        "EX_CANTCREAT": 73, "EX_IOERR": 74, "EX_CONFIG": 78,
    ]

    @Test func everyCodeIsItsSysexitsValue() {
        for status in ExitStatus.allCases {
            #expect(Self.sysexits[status.name] == status.code, "\(status): \(status.name) is \(Self.sysexits[status.name].map(String.init) ?? "not a sysexits name")")
        }
        #expect(Set(ExitStatus.allCases.map(\.code)).count == ExitStatus.allCases.count)
    }

    @Test func daemonStatusesReadTheTable() {
        #expect(Daemon.Status.unavailable == 69 && Daemon.Status.software == 70 && Daemon.Status.cannotCreate == 73)
        #expect(Daemon.Status.ioError == 74 && Daemon.Status.config == 78 && Daemon.Status.dataError == 65)
    }

    @Test func markdownHasARowPerStatus() {
        let rows = ExitStatus.markdownTable.split(separator: "\n").dropFirst(2)
        #expect(rows.count == ExitStatus.allCases.count)
        for (row, status) in zip(rows, ExitStatus.allCases) {
            #expect(row.hasPrefix("| \(status.code) | `\(status.name)` | "), "\(row)")
        }
    }
}

/// The documentation's exit-status article carries the code's table as it is.
@Suite struct ExitStatusArticleTests {
    @Test func theArticleHoldsTheCodesTable() throws {
        let article = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/llm-workload/Documentation.docc/ExitStatuses.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        #expect(text.contains(ExitStatus.markdownTable), "ExitStatuses.md does not contain ExitStatus.markdownTable:\n\(ExitStatus.markdownTable)")
    }
}
