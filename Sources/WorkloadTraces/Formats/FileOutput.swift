#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or stdout that takes whole buffers with `write(2)`, retrying short
/// writes and EINTR, so large bursts of JSON Lines cost one syscall each.
package final class FileOutput: @unchecked Sendable {
    // @unchecked: the descriptor is only used by the thread that owns the
    // output; the class exists for deinit, not for sharing.
    package let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    /// `-` is standard output; anything else is created or truncated.
    package init(path: String) throws(OutputError) {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw OutputError(path: path, errno: errno) }
            descriptor = fd
            ownsDescriptor = true
        }
    }

    package func write(_ bytes: [UInt8]) throws(OutputError) {
        let failure = bytes.withUnsafeBytes { buffer -> OutputError? in
            do throws(OutputError) {
                try write(buffer)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    package func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, errno: errno)
            }
            offset += written
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }
}

/// A failed write or open, with the path and the system's reason.
package struct OutputError: Error, Sendable, CustomStringConvertible {
    package var path: String
    package var errno: Int32
    package var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
