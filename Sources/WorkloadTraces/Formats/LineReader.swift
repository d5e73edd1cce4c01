#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WorkloadConfig

/// Reads a file line by line in fixed-size chunks, so a trace of any length
/// never sits in memory. A line is handed out as a buffer that is valid until
/// the next call; a trailing `\r` is dropped (CRLF files). A line longer than
/// ``maxLineBytes`` is an error for a trace: without a bound, one line of a huge
/// file (or `/dev/zero`) would have to fit in memory. `stats` reads its streams
/// (a file or standard input) through the same reader, without the bound.
package final class LineReader {
    /// The longest line of a trace, terminator excluded: 1 MiB.
    static let maxLineBytes = 1 << 20

    let descriptor: Int32
    /// Whether the reader closes `descriptor` when it is done.
    private let ownsDescriptor: Bool
    /// The longest line accepted (nil: any length).
    private let lineBound: Int?
    var storage: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var start = 0
    var end = 0
    var atEOF = false
    /// 1-based number of the last line returned.
    private(set) var lineNumber = 0

    /// Opens `path`, which must be a regular file: a FIFO, device, socket or
    /// directory is refused without blocking (opened non-blocking, then looked at),
    /// since a FIFO with no writer would block the open, and a device may never end.
    init(path: String, chunk: Int = 1 << 20) throws(TraceError) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw TraceError(file: path, message: code == ENOENT ? "no such file" : "cannot be opened: \(String(cString: strerror(code)))")
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            close(fd)
            throw TraceError(file: path, message: "cannot be examined: \(String(cString: strerror(code)))")
        }
        if let kind = FileKind.irregularKind(status.st_mode) {
            close(fd)
            throw TraceError(file: path, message: "is not a regular file (\(kind)); a trace must be a file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        ownsDescriptor = true
        lineBound = Self.maxLineBytes
        capacity = chunk
        storage = .allocate(capacity: chunk)
    }

    /// Reads an open descriptor as it is (standard input, a pipe, a file), leaving it open;
    /// lines of any length (the buffer grows to hold the longest).
    package init(descriptor: Int32, chunk: Int = 1 << 22) {
        self.descriptor = descriptor
        ownsDescriptor = false
        lineBound = nil
        capacity = chunk
        storage = .allocate(capacity: chunk)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
        storage.deallocate()
    }

    /// The next line without its terminator, or `nil` at the end of the file.
    /// Throws the `errno` of a failed read, or for a line longer than ``maxLineBytes``.
    package func nextLine() throws(TraceError) -> UnsafeBufferPointer<UInt8>? {
        while true {
            if let newline = findNewline() {
                var lineEnd = newline
                if lineEnd > start && storage[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                guard lineEnd - start <= lineBound ?? .max else { throw Self.tooLong }
                let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEOF {
                guard end > start else { return nil }
                var lineEnd = end
                if storage[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                guard lineEnd - start <= lineBound ?? .max else { throw Self.tooLong }
                let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
                start = end
                lineNumber += 1
                return line
            }
            try fill()
        }
    }

    static let tooLong = TraceError(file: "", message: "line longer than \(maxLineBytes) bytes (1 MiB); is this a trace?")

    private func findNewline() -> Int? {
        guard end > start, let found = memchr(storage + start, 0x0A, end - start) else { return nil }
        return storage.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    private func fill() throws(TraceError) {
        if start > 0 {
            let kept = end - start
            if kept > 0 { memmove(storage, storage + start, kept) }
            start = 0
            end = kept
        }
        if end == capacity {  // one line longer than the buffer: grow it, up to the bound
            // The bound, a CR and the newline fit in the largest buffer.
            let largest = lineBound.map { $0 + 2 } ?? .max
            guard capacity < largest else { throw Self.tooLong }
            let larger = min(capacity * 2, largest)
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
            bigger.update(from: storage, count: end)
            storage.deallocate()
            storage = bigger
            capacity = larger
        }
        while true {
            let n = read(descriptor, storage + end, capacity - end)
            if n > 0 {
                end += n
                return
            }
            if n == 0 {
                atEOF = true
                return
            }
            if errno == EINTR { continue }
            throw TraceError(file: "", message: "read failed: \(String(cString: strerror(errno)))")
        }
    }
}
