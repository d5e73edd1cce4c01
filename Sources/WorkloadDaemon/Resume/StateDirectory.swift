import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `run --state-dir DIR` (or `$STATE_DIRECTORY`, which systemd sets from the
/// unit's `StateDirectory=`): where a resumable run keeps its record
/// (`run`, see `RunRecord`) and its engine checkpoint (`checkpoint`).
/// Every write is atomic: a temporary file, fsync, rename, fsync of the directory.
/// Opening it takes its lock (`lock`, see `StateDirectoryLock`): one process at a time.
package struct StateDirectory: Sendable {
    package let path: String

    static let recordName = "run"
    package static let checkpointName = "checkpoint"
    /// Each partition's end offset when the run began publishing from seq 0
    /// (`PartitionOffsets`): every record of the run lies at or above it.
    static let startOffsetsName = "start-offsets"
    /// Locked by the process using the directory; holds its PID.
    static let lockName = "lock"

    /// Opens (creating if needed) the directory and takes its lock, held until this process exits.
    package init(path: String) throws(StateDirectoryError) {
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
        try StateDirectoryLock.acquire(path + "/" + Self.lockName)
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Gives up this process's lock, for a process that prepares the directory for another to use
    /// (`bench`'s resume probe); no write may follow.
    package func unlock() { StateDirectoryLock.release(file(Self.lockName)) }

    /// The file's bytes, or nil when it does not exist.
    func read(_ name: String) throws(StateDirectoryError) -> [UInt8]? {
        let full = file(name)
        guard FileManager.default.fileExists(atPath: full) else { return nil }
        guard let data = FileManager.default.contents(atPath: full) else { throw StateDirectoryError("cannot read \(full)") }
        return [UInt8](data)
    }

    /// Replaces the file atomically: after a crash at any point it holds the old bytes or the new.
    package func write(_ name: String, bytes: [UInt8]) throws(StateDirectoryError) {
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

/// Two daemons on one state directory would both continue its run and
/// publish every event twice, so the directory's `lock` file is locked
/// (`flock`, exclusive) by the process using it, for the rest of its life; the
/// kernel releases it when the process ends, however it ends. The holder
/// writes its PID into the file, so that a refused start can name it.
/// Within one process the lock is taken once per directory and shared (a
/// `flock` taken twice on two descriptors of one file would refuse itself).
enum StateDirectoryLock {
    /// The locked files' descriptors by device and inode, kept open (and so locked) until exit.
    private static let held = Mutex<[FileIdentity: Int32]>([:])

    struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    static func acquire(_ file: String) throws(StateDirectoryError) {
        let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StateDirectoryError("cannot open the lock file \(file): \(String(cString: strerror(errno)))") }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let error = errno
            close(fd)
            throw StateDirectoryError("cannot stat the lock file \(file): \(String(cString: strerror(error)))")
        }
        let identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        let outcome: Result<Void, StateDirectoryError> = held.withLock { held in
            if held[identity] != nil {
                close(fd)  // this process holds it already
                return .success(())
            }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let error = errno
                if error == EINTR { continue }
                let holder = contents(fd)
                close(fd)
                guard error == EWOULDBLOCK else {
                    return .failure(StateDirectoryError("cannot lock \(file): \(String(cString: strerror(error))); a state directory must be on a file system with locks"))
                }
                let who = holder.map { "another process (PID \($0))" } ?? "another process (its PID not yet written)"
                return .failure(StateDirectoryError(
                    "in use by \(who), which holds its lock \(file): two daemons on one state directory "
                    + "would both continue its run and publish it twice. Stop that process first, or give this one another --state-dir. Exit status 78."))
            }
            // The PID for a refused start to name; a stale one from an earlier holder is overwritten.
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            held[identity] = fd
            return .success(())
        }
        try outcome.get()
    }

    static func release(_ file: String) {
        var status = stat()
        guard stat(file, &status) == 0 else { return }
        let identity = FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        held.withLock { held in
            if let fd = held.removeValue(forKey: identity) { close(fd) }
        }
    }

    /// The PID written in the lock file, if one is.
    private static func contents(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text).map { String($0) }
    }
}

/// Which state directory `run` uses.
package enum StateDirectoryPath {
    /// The flag's directory, else `$STATE_DIRECTORY` (its first entry: systemd
    /// separates several with colons), else none.
    package static func resolve(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        guard let variable = environment["STATE_DIRECTORY"], !variable.isEmpty else { return nil }
        return variable.split(separator: ":").first.map(String.init)
    }
}

package struct StateDirectoryError: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
