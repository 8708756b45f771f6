import PerchSystem

/// A requested output line. Holds its chip open; `release` (or deinit) gives it back.
public final class GpioOutput {
    public let name: String
    public private(set) var value: Bool
    private let chip: GpioChip
    private var line: GpiodV1.Line?

    init(chip: GpioChip, line: GpiodV1.Line, name: String, value: Bool) {
        self.chip = chip
        self.line = line
        self.name = name
        self.value = value
    }

    deinit { release() }

    /// Drives the line to a logical value (active-low inverts it on the pin).
    public func set(_ newValue: Bool) throws(DeviceError) {
        guard let line, chip.isOpen else { throw .invalidArgument(name + " is released") }
        if case .failure(let e) = GpiodV1.set(line, newValue) {
            throw DeviceError.from(e, device: name, operation: "set value")
        }
        value = newValue
    }

    /// Drives the line active for `milliseconds`, then inactive.
    public func pulse(milliseconds: Int) throws(DeviceError) {
        try set(true)
        MonotonicClock.sleep(milliseconds: milliseconds)
        try set(false)
    }

    public func release() {
        if let line, chip.isOpen { GpiodV1.release(line) }
        line = nil
    }
}

/// A requested input line with edge events.
public final class GpioInput {
    public let name: String
    private let chip: GpioChip
    private var line: GpiodV1.Line?

    init(chip: GpioChip, line: GpiodV1.Line, name: String) {
        self.chip = chip
        self.line = line
        self.name = name
    }

    deinit { release() }

    /// The current logical value.
    public func value() throws(DeviceError) -> Bool {
        guard let line, chip.isOpen else { throw .invalidArgument(name + " is released") }
        switch GpiodV1.get(line) {
        case .success(let v): return v
        case .failure(let e): throw DeviceError.from(e, device: name, operation: "get value")
        }
    }

    /// The next edge, or nil when none came within `timeoutMs`.
    public func waitForEdge(timeoutMs: Int) throws(DeviceError) -> GpioEdge? {
        guard let line, chip.isOpen else { throw .invalidArgument(name + " is released") }
        switch GpiodV1.waitEvent(line, timeoutMs: timeoutMs) {
        case .success(false): return nil
        case .success(true): break
        case .failure(let e): throw DeviceError.from(e, device: name, operation: "wait for edge")
        }
        switch GpiodV1.readEvent(line) {
        case .success(let edge): return edge
        case .failure(let e): throw DeviceError.from(e, device: name, operation: "read edge")
        }
    }

    public func release() {
        if let line, chip.isOpen { GpiodV1.release(line) }
        line = nil
    }
}
