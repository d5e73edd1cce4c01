import Foundation
import Yams

/// Reads a YAML tree while collecting every problem with its key path, so that
/// one run of `validate` lists them all.
///
/// Why not `Codable`: a decoder stops at the first error and ignores unknown
/// keys, while users need every problem at once and misspelt keys caught.
package final class ConfigReader {
    package private(set) var problems: [ConfigProblem] = []

    package init() {}

    func report(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message))
    }

    /// A short rendering of a node for messages: scalars as written.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return scalar.style == .plain ? scalar.string : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
        }
        return false
    }

    /// A mapping's entries, reporting a non-mapping and any key outside `allowed`.
    func object(_ node: Node, at path: String, allowed: [String]) -> ConfigObject? {
        guard case .mapping(let mapping) = node else {
            report(path, "expected a mapping (got \(Self.describe(node)))")
            return nil
        }
        var entries: [String: Node] = [:]
        var order: [String] = []
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? Self.describe(keyNode)
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            if !allowed.contains(key) {
                report(keyPath, "unknown key\(KeySuggestion.hint(for: key, in: allowed))")
                continue
            }
            if entries[key] != nil {
                report(keyPath, "duplicate key")
                continue
            }
            entries[key] = value
            order.append(key)
        }
        return ConfigObject(path: path, entries: entries, keys: order, reader: self)
    }

    /// Each element of `list` as a number obeying `rule`; one that is not is reported at `path[i]` and left out.
    func numbers(_ list: some Sequence<Node>, at path: String, _ rule: NumberRule) -> [Double] {
        list.enumerated().compactMap { index, item in
            let here = "\(path)[\(index)]"
            guard let value = number(item, at: here) else { return nil }
            if let complaint = rule.check(value) {
                report(here, "\(complaint) (got \(Self.describe(item)))")
                return nil
            }
            return value
        }
    }

    func number(_ node: Node, at path: String) -> Double? {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            let text = scalar.string.replacingOccurrences(of: "_", with: "")
            if let value = Double(text) {
                if value.isFinite { return value }
                report(path, "must be a finite number (got \(Self.describe(node)))")
                return nil
            }
            if [".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN"].contains(text) {
                report(path, "must be a finite number (got \(Self.describe(node)))")
                return nil
            }
        }
        report(path, "expected a number (got \(Self.describe(node)))")
        return nil
    }

    func integer(_ node: Node, at path: String) -> Int? {
        guard let value = number(node, at: path) else { return nil }
        guard value.rounded() == value, abs(value) < 9.0e15 else {
            report(path, "expected an integer (got \(Self.describe(node)))")
            return nil
        }
        return Int(value)
    }

    func bool(_ node: Node, at path: String) -> Bool? {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "true", "True", "TRUE", "yes", "Yes", "on", "On": return true
            case "false", "False", "FALSE", "no", "No", "off", "Off": return false
            default: break
            }
        }
        report(path, "expected true or false (got \(Self.describe(node)))")
        return nil
    }

    func string(_ node: Node, at path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(path, "expected a string (got \(Self.describe(node)))")
            return nil
        }
        return scalar.string
    }
}

/// A YAML mapping being read, with the path of its keys.
struct ConfigObject {
    let path: String
    let entries: [String: Node]
    let keys: [String]
    let reader: ConfigReader

    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`; `nil` when absent or explicitly null.
    subscript(key: String) -> Node? {
        guard let node = entries[key], !ConfigReader.isNull(node) else { return nil }
        return node
    }

    func has(_ key: String) -> Bool { self[key] != nil }

    func required(_ key: String, _ what: String = "a value") -> Node? {
        guard let node = self[key] else {
            reader.report(path(key), "missing (expected \(what))")
            return nil
        }
        return node
    }

    /// A number checked by `rule`; `fallback` when absent; `nil` when bad.
    func number(_ key: String, default fallback: Double? = nil, _ rule: NumberRule = .any) -> Double? {
        guard let node = self[key] else {
            if fallback == nil { reader.report(path(key), "missing (expected a number)") }
            return fallback
        }
        guard let value = reader.number(node, at: path(key)) else { return nil }
        if let complaint = rule.check(value) {
            reader.report(path(key), "\(complaint) (got \(ConfigReader.describe(node)))")
            return nil
        }
        return value
    }

    func optionalNumber(_ key: String, _ rule: NumberRule = .any) -> Double? {
        guard has(key) else { return nil }
        return number(key, rule)
    }

    func integer(_ key: String, default fallback: Int?, _ rule: NumberRule = .any) -> Int? {
        guard let node = self[key] else {
            if fallback == nil { reader.report(path(key), "missing (expected an integer)") }
            return fallback
        }
        guard let value = reader.integer(node, at: path(key)) else { return nil }
        if let complaint = rule.check(Double(value)) {
            reader.report(path(key), "\(complaint) (got \(ConfigReader.describe(node)))")
            return nil
        }
        return value
    }

    func bool(_ key: String, default fallback: Bool) -> Bool {
        guard let node = self[key] else { return fallback }
        return reader.bool(node, at: path(key)) ?? fallback
    }

    func string(_ key: String, default fallback: String) -> String {
        guard let node = self[key] else { return fallback }
        return reader.string(node, at: path(key)) ?? fallback
    }

    func object(_ key: String, allowed: [String]) -> ConfigObject? {
        guard let node = self[key] else { return nil }
        return reader.object(node, at: path(key), allowed: allowed)
    }
}

/// A check on a number, phrased as the message it gives.
struct NumberRule: Sendable {
    let check: @Sendable (Double) -> String?

    static let any = NumberRule { _ in nil }
    static let positive = NumberRule { $0 > 0 ? nil : "must be > 0" }
    static let nonNegative = NumberRule { $0 >= 0 ? nil : "must be >= 0" }
    static let probability = NumberRule { (0...1).contains($0) ? nil : "must be a probability in [0, 1]" }
    static func between(_ low: Double, _ high: Double) -> NumberRule {
        NumberRule { (low...high).contains($0) ? nil : "must be between \(format(low)) and \(format(high))" }
    }
    static func atLeast(_ bound: Double) -> NumberRule { NumberRule { $0 >= bound ? nil : "must be >= \(format(bound))" } }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
