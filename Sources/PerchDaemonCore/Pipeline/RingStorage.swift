/// The newest `capacity` elements of a stream and the count of all ever written: the circular
/// indexing AudioRingBuffer (samples) and FeatureRing (feature frames) share. Elements are
/// numbered from 0 in the order they arrived. Not synchronized: the owner holds its lock.
struct RingStorage<Element> {
    let capacity: Int
    private var elements: [Element]
    /// Where element number `written` will go.
    private var writeIndex = 0
    private(set) var written: UInt64 = 0

    init(capacity: Int, filler: Element) {
        precondition(capacity > 0, "a ring needs room for at least one element")
        self.capacity = capacity
        elements = [Element](repeating: filler, count: capacity)
    }

    /// Appends `new`; when it is longer than the ring, only its last `capacity` elements stay.
    mutating func append(_ new: UnsafeBufferPointer<Element>) {
        written += UInt64(new.count)
        var source = new.count > capacity ? UnsafeBufferPointer(rebasing: new[(new.count - capacity)...]) : new
        elements.withUnsafeMutableBufferPointer { ring in
            while !source.isEmpty {
                let n = min(source.count, capacity - writeIndex)
                _ = UnsafeMutableBufferPointer(rebasing: ring[writeIndex..<(writeIndex + n)])
                    .update(fromContentsOf: UnsafeBufferPointer(rebasing: source[..<n]))
                writeIndex = writeIndex + n == capacity ? 0 : writeIndex + n
                source = UnsafeBufferPointer(rebasing: source[n...])
            }
        }
    }

    /// Whether elements `first ..< first + count` have all arrived and none is overwritten yet.
    func holds(from first: UInt64, count: Int) -> Bool {
        count >= 0 && count <= capacity && first + UInt64(count) <= written && written - first <= UInt64(capacity)
    }

    /// Copies elements `first ..< first + output.count` into `output`, oldest first; false
    /// (`output` untouched) unless `holds` them.
    @discardableResult
    func copy(from first: UInt64, into output: UnsafeMutableBufferPointer<Element>) -> Bool {
        guard holds(from: first, count: output.count) else { return false }
        // Element `written` sits at writeIndex; element `first` sits `written - first` before it.
        var index = (writeIndex - Int(written - first) + capacity) % capacity
        var done = 0
        elements.withUnsafeBufferPointer { ring in
            while done < output.count {
                let n = min(output.count - done, capacity - index)
                _ = UnsafeMutableBufferPointer(rebasing: output[done..<(done + n)])
                    .update(fromContentsOf: UnsafeBufferPointer(rebasing: ring[index..<(index + n)]))
                done += n
                index = index + n == capacity ? 0 : index + n
            }
        }
        return true
    }
}
