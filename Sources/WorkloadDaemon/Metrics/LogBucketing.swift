/// Fixed logarithmic buckets for non-negative integers (nanoseconds), HDR-histogram
/// style: values below 16 have a bucket each; above, every power of two is split into
/// 16 equal buckets. So any value's bucket is found with one leading-zero count and a
/// shift, and a bucket's width is at most 1/16 (6.25 %) of the values it holds, over
/// the whole `UInt64` range, in 976 buckets.
enum LogBucketing {
    static let subBucketBits = 4
    static let subBuckets = 1 << subBucketBits  // 16
    static let count = subBuckets + (64 - subBucketBits) * subBuckets  // 976

    @inline(__always)
    static func index(of value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // >= subBucketBits
        let shift = exponent - subBucketBits
        let mantissa = Int((value >> UInt64(shift)) & UInt64(subBuckets - 1))
        return subBuckets + shift * subBuckets + mantissa
    }

    /// Smallest value in bucket `index`.
    static func lowerBound(of index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = (index - subBuckets) / subBuckets
        let mantissa = (index - subBuckets) % subBuckets
        return UInt64(subBuckets + mantissa) << UInt64(shift)
    }

    /// Largest value in bucket `index`.
    static func upperBound(of index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = (index - subBuckets) / subBuckets
        return lowerBound(of: index) &+ ((1 << UInt64(shift)) - 1)
    }
}
