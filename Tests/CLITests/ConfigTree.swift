import Foundation
import Yams

/// A configuration file as a YAML tree that tests can change key by key
/// (`workload.client_profiles[0].network.latency_s`), then write back.
struct ConfigTree {
    var root: Node

    init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml) else { throw CocoaError(.fileReadCorruptFile) }
        self.root = root
    }

    init(file: String) throws {
        try self.init(yaml: try String(contentsOf: repositoryRoot.appendingPathComponent(file), encoding: .utf8))
    }

    /// Sets `path` to `value` (YAML text, parsed as a node), creating mappings on the way.
    mutating func set(_ path: String, yaml value: String) throws {
        let node = try Yams.compose(yaml: value) ?? Node("null")
        root = Self.setting(root, Self.segments(path)[...], to: node)
    }

    func yaml() throws -> String { try Yams.serialize(node: root) }

    /// `a.b[2].c` -> ["a", "b", 2, "c"].
    static func segments(_ path: String) -> [Segment] {
        var result: [Segment] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var indices: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                indices.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)]) ?? 0, at: 0)
                name = name[..<open]
            }
            result.append(.key(String(name)))
            result += indices.map(Segment.index)
        }
        return result
    }

    enum Segment {
        case key(String)
        case index(Int)
    }

    private static func setting(_ node: Node, _ path: ArraySlice<Segment>, to value: Node) -> Node {
        guard let first = path.first else { return value }
        switch first {
        case .key(let key):
            var mapping = node.mapping ?? Node.Mapping([])
            let child = mapping[key] ?? Node.mapping(Node.Mapping([]))
            mapping[key] = setting(child, path.dropFirst(), to: value)
            return .mapping(mapping)
        case .index(let index):
            guard var list = node.sequence, list.indices.contains(index) else { return node }
            list[index] = setting(list[index], path.dropFirst(), to: value)
            return .sequence(list)
        }
    }

    /// Every key path of a scalar or null leaf (lists and mappings walked).
    var leafPaths: [String] {
        var paths: [String] = []
        func walk(_ node: Node, _ path: String) {
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    let name = key.string ?? "?"
                    walk(value, path.isEmpty ? name : "\(path).\(name)")
                }
            case .sequence(let list):
                for (index, value) in list.enumerated() { walk(value, "\(path)[\(index)]") }
            default:
                paths.append(path)
            }
        }
        walk(root, "")
        return paths
    }
}
