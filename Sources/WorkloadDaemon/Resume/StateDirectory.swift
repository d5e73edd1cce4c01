import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `run --state-dir DIR` (or `$STATE_DIRECTORY`, which systemd sets from the
/// unit's `StateDirectory=`): where a resumable run keeps its record
/// (`run`, see `RunRecord`) and its engine checkpoint (`checkpoint`).
/// Every write is atomic: a temporary file, fsync, rename, fsync of the directory.
struct StateDirectory: Sendable {
    let path: String

    static let recordName = "run"
    static let checkpointName = "checkpoint"
    /// Each partition's end offset when the run began publishing from seq 0
    /// (`PartitionOffsets`): every record of the run lies at or above it.
    static let startOffsetsName = "start-offsets"

    /// Opens (creating if needed) the directory.
    init(path: String) throws(StateDirectoryError) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw StateDirectoryError("\(path) is not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StateDirectoryError("cannot create \(path): \(error.localizedDescription)")
            }
        }
        guard access(path, W_OK) == 0 else { throw StateDirectoryError("\(path) is not writable") }
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// The file's bytes, or nil when it does not exist.
    func read(_ name: String) throws(StateDirectoryError) -> [UInt8]? {
        let full = file(name)
        guard FileManager.default.fileExists(atPath: full) else { return nil }
        guard let data = FileManager.default.contents(atPath: full) else { throw StateDirectoryError("cannot read \(full)") }
        return [UInt8](data)
    }

    /// Replaces the file atomically: after a crash at any point it holds the old bytes or the new.
    func write(_ name: String, bytes: [UInt8]) throws(StateDirectoryError) {
        let full = file(name)
        let temporary = full + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateDirectoryError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let error = errno
        close(fd)
        guard ok else { throw StateDirectoryError("cannot write \(temporary): \(String(cString: strerror(error)))") }
        guard rename(temporary, full) == 0 else {
            throw StateDirectoryError("cannot rename \(temporary) to \(full): \(String(cString: strerror(errno)))")
        }
        let directory = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    func remove(_ name: String) {
        unlink(file(name))
    }
}

/// Which state directory `run` uses.
public enum StateDirectoryPath {
    /// The flag's directory, else `$STATE_DIRECTORY` (its first entry: systemd
    /// separates several with colons), else none.
    public static func resolve(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        guard let variable = environment["STATE_DIRECTORY"], !variable.isEmpty else { return nil }
        return variable.split(separator: ":").first.map(String.init)
    }
}

struct StateDirectoryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
