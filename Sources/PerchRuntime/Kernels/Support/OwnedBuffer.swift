/// Memory a kernel allocates once at prepare (tables, per-channel parameters, scratch)
/// and frees with the kernel. `base` is stable, so `invoke` can use it without
/// allocation, retain traffic or bounds checks.
final class OwnedBuffer<Element> {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(count: Int, initialValue: Element) {
        self.count = Swift.max(count, 1)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.count)
        base.initialize(repeating: initialValue, count: self.count)
    }

    init(_ values: [Element]) {
        count = Swift.max(values.count, 1)
        base = UnsafeMutablePointer<Element>.allocate(capacity: count)
        for (i, v) in values.enumerated() { (base + i).initialize(to: v) }
    }

    deinit {
        base.deallocate()
    }

    subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }
}
