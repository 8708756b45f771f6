import PerchSystem


/// Pull resistor setting requested with a line.
public enum GpioBias: Equatable, Sendable {
    case asIs, disabled, pullUp, pullDown
}

/// One edge seen on an input line.
public struct GpioEdge: Equatable, Sendable {
    /// Logical rising (active-low lines report the inverted edge).
    public var rising: Bool
    public var timestampNs: Int64
}

/// A GPIO chip opened by name (`gpiochip0`), path (`/dev/gpiochip0`), label or number. Lines
/// are requested with consumer "perchd" and released when they are released, deinitialised,
/// or when the chip is closed.
public final class GpioChip {
    public static let consumer = "perchd"

    public let descriptor: String
    public let name: String
    public let label: String
    public let lineCount: Int
    private var chip: GpiodV1.Chip?

    public init(_ descriptor: String) throws(DeviceError) {
        self.descriptor = descriptor
        switch GpiodV1.openChip(descriptor) {
        case .success(let chip):
            self.chip = chip
            name = GpiodV1.name(chip)
            label = GpiodV1.label(chip)
            lineCount = GpiodV1.lineCount(chip)
        case .failure(let e):
            throw DeviceError.from(e, device: "gpio chip " + descriptor, operation: "open")
        }
    }

    deinit { close() }

    /// Closes the chip; every line requested through it is released.
    public func close() {
        if let chip { GpiodV1.closeChip(chip) }
        chip = nil
    }

    public var isOpen: Bool { chip != nil }

    /// Requests `offset` as an output driven to `initial` (logical value).
    public func output(_ offset: Int, activeLow: Bool = false, initial: Bool = false) throws(DeviceError) -> GpioOutput {
        let line = try line(offset)
        let flags = GpiodV1.flags(activeLow: activeLow, bias: .asIs)
        if case .failure(let e) = GpiodV1.requestOutput(line, consumer: GpioChip.consumer, flags: flags, initial: initial) {
            throw DeviceError.from(e, device: lineName(offset), operation: "request output")
        }
        return GpioOutput(chip: self, line: line, name: lineName(offset), value: initial)
    }

    /// Requests `offset` as an input reporting both edges (a button, a PIR sensor).
    public func input(_ offset: Int, activeLow: Bool = false, bias: GpioBias = .asIs) throws(DeviceError) -> GpioInput {
        let line = try line(offset)
        let flags = GpiodV1.flags(activeLow: activeLow, bias: bias)
        if case .failure(let e) = GpiodV1.requestEdges(line, consumer: GpioChip.consumer, flags: flags) {
            throw DeviceError.from(e, device: lineName(offset), operation: "request edge events")
        }
        return GpioInput(chip: self, line: line, name: lineName(offset))
    }

    func lineName(_ offset: Int) -> String { name + " line " + String(offset) }

    private func line(_ offset: Int) throws(DeviceError) -> GpiodV1.Line {
        guard let chip else { throw .invalidArgument("gpio chip " + descriptor + " is closed") }
        guard offset >= 0, offset < lineCount else {
            throw .notFound(device: lineName(offset) + " (chip has " + String(lineCount) + " lines)", .invalidArgument)
        }
        switch GpiodV1.line(chip, offset: offset) {
        case .success(let line): return line
        case .failure(let e): throw DeviceError.from(e, device: lineName(offset), operation: "get line")
        }
    }
}
