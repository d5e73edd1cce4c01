#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files a trace may not be: both the configuration (which examines
/// `workload.replay.file` without opening it) and the trace reader (which
/// refuses it after a non-blocking open) name them the same way.
package enum FileKind {
    /// What a file of mode `mode` is when it is not a regular file, e.g. "a FIFO".
    package static func irregularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a directory"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }
}
