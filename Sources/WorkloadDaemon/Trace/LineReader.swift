#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file line by line in fixed-size chunks, so a trace of any length
/// never sits in memory. A line is handed out as a buffer that is valid until
/// the next call; a trailing `\r` is dropped (CRLF files).
final class LineReader {
    let descriptor: Int32
    var storage: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var start = 0
    var end = 0
    var atEOF = false
    /// 1-based number of the last line returned.
    private(set) var lineNumber = 0

    /// `nil` with `errno` set when the file cannot be opened.
    init?(path: String, chunk: Int = 1 << 20) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        descriptor = fd
        capacity = chunk
        storage = .allocate(capacity: chunk)
    }

    deinit {
        close(descriptor)
        storage.deallocate()
    }

    /// The next line without its terminator, or `nil` at the end of the file.
    /// Throws the `errno` of a failed read.
    func nextLine() throws(TraceError) -> UnsafeBufferPointer<UInt8>? {
        while true {
            if let newline = findNewline() {
                var lineEnd = newline
                if lineEnd > start && storage[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEOF {
                guard end > start else { return nil }
                var lineEnd = end
                if storage[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeBufferPointer(start: storage + start, count: lineEnd - start)
                start = end
                lineNumber += 1
                return line
            }
            try fill()
        }
    }

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
        if end == capacity {  // one line longer than the buffer: grow it
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: storage, count: end)
            storage.deallocate()
            storage = bigger
            capacity *= 2
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
