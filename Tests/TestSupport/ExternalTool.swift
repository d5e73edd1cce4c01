import Foundation
import Testing

/// A tool some tests run that the README's setup line
/// (`apt-get install -y librdkafka-dev pkg-config`) does not install.
///
/// One rule for all of them: a test that needs a missing tool is skipped with the
/// reason and how to install it, so `swift test` passes on a machine set up with the
/// README's line alone; unless `LLM_WORKLOAD_REQUIRE_TOOLS=1` (`.ci/run` sets it),
/// where the test runs and the tool's absence fails it (``require()``).
package enum ExternalTool: String, CaseIterable, Sendable {
    case kcat
    case systemdAnalyze = "systemd-analyze"
    case pythonJSONSchema = "python3 jsonschema"
    case chromium
    case kubernetesValidate = "kubernetes-validate"
    case noidaDB = "noida-db"
    /// Dynamo's replay (`dynamo._core` of ai-dynamo-runtime), which reads agentic Mooncake traces.
    case dynamoReplay = "dynamo replay"

    /// True when the environment asks for every tool (CI).
    package static var required: Bool {
        ProcessInfo.processInfo.environment["LLM_WORKLOAD_REQUIRE_TOOLS"] == "1"
    }

    /// How to install it.
    package var installHint: String {
        switch self {
        case .kcat: "apt-get install kcat"
        case .systemdAnalyze: "apt-get install systemd"
        case .pythonJSONSchema: "apt-get install python3-jsonschema"
        case .chromium: "apt-get install chromium"
        case .kubernetesValidate: "python3 -m pip install kubernetes-validate"
        case .noidaDB: "python3 -m pip install --require-hashes -r .ci/noida-db-requirements.txt, or set LLM_WORKLOAD_NOIDA_DB to its path"
        case .dynamoReplay: "python3 -m pip install --no-deps ai-dynamo-runtime==1.6.1 (75 MB), or set LLM_WORKLOAD_DYNAMO_PYTHON to a python that has it"
        }
    }

    /// Where it is (an executable's path; `python3` for the Python module), or nil when missing.
    /// (Looked up once per test process, while the traits are evaluated: the blocking import checks are brief.)
    package var location: String? {
        switch self {
        case .kcat: return Self.executable(named: "kcat")
        case .systemdAnalyze: return Self.executable(named: "systemd-analyze", also: ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"])
        case .chromium: return Self.executable(named: "chromium", also: ["/usr/bin/chromium", "/usr/bin/chromium-browser"])
        case .kubernetesValidate: return Self.executable(named: "kubernetes-validate")
        case .noidaDB:
            if let given = ProcessInfo.processInfo.environment["LLM_WORKLOAD_NOIDA_DB"], !given.isEmpty {
                return FileManager.default.isExecutableFile(atPath: given) ? given : nil
            }
            return Self.executable(named: "noida-db")
        case .dynamoReplay:
            let given = ProcessInfo.processInfo.environment["LLM_WORKLOAD_DYNAMO_PYTHON"] ?? ""
            guard let python = given.isEmpty ? Self.executable(named: "python3") : given else { return nil }
            let check = try? runProcessBlocking(python, ["-c", "import dynamo._core"], timeout: 60)
            return check?.status == 0 ? python : nil
        case .pythonJSONSchema:
            guard let python = Self.executable(named: "python3") else { return nil }
            let check = try? runProcessBlocking(python, ["-c", "import jsonschema"], timeout: 30)
            return check?.status == 0 ? python : nil
        }
    }

    /// Whether a test needing it runs: it is installed, or the environment requires every tool.
    package var shouldRun: Bool { Self.found[self] != nil || Self.required }

    /// Why a test needing it is skipped.
    package var skipReason: Comment {
        "\(rawValue) is not installed (\(installHint)); set LLM_WORKLOAD_REQUIRE_TOOLS=1 to fail instead of skipping"
    }

    /// Its location for a test that needs it; when missing (only reachable with
    /// `LLM_WORKLOAD_REQUIRE_TOOLS=1`), records a failure saying so and throws.
    package func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        if let found = Self.found[self] { return found }
        Issue.record("\(rawValue) is required (LLM_WORKLOAD_REQUIRE_TOOLS=1) but not installed: \(installHint)",
                     sourceLocation: sourceLocation)
        throw MissingTool(tool: self)
    }

    /// Each tool looked up once per test process. `LLM_WORKLOAD_HIDE_TOOLS` (names separated by
    /// commas, or `all`) treats tools as missing, to see on a full machine what one set up with
    /// the README's line alone runs and skips.
    static let found: [ExternalTool: String] = {
        let hidden = Set((ProcessInfo.processInfo.environment["LLM_WORKLOAD_HIDE_TOOLS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        var found: [ExternalTool: String] = [:]
        for tool in allCases where !hidden.contains("all") && !hidden.contains(tool.rawValue) {
            found[tool] = tool.location
        }
        return found
    }()

    static func executable(named name: String, also paths: [String] = []) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/\(name)" } + paths
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

package struct MissingTool: Error, CustomStringConvertible {
    package var tool: ExternalTool
    package var description: String { "\(tool.rawValue) is not installed" }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when `tool` is installed or the environment requires every
    /// tool; otherwise skips it with the reason and how to install it.
    package static func needs(_ tool: ExternalTool) -> Self {
        .enabled(if: tool.shouldRun, tool.skipReason)
    }
}
