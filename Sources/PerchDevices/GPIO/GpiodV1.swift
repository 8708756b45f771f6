import CPerchGPIO
import PerchSystem

/// The libgpiod 1.6 backend (Debian 12, Raspberry Pi OS bookworm): the only file that calls
/// `gpiod_*`. A libgpiod 2 backend would be a sibling file with the same functions.
/// libgpiod 1.x returns -1 and sets errno, so `retryingOnInterrupt` applies directly.
enum GpiodV1 {
    typealias Chip = OpaquePointer
    typealias Line = OpaquePointer

    /// By name (gpiochip0), path (/dev/gpiochip0), label (gpio-sim.0-node0) or number.
    /// The corresponding C function is `gpiod_chip_open_lookup`.
    static func openChip(_ descriptor: String) -> Result<Chip, Errno> {
        if let chip = gpiod_chip_open_lookup(descriptor) { return .success(chip) }
        let error = Errno.current
        // open_lookup leaves errno 0 or ENOENT when nothing matched.
        return .failure(error.code == 0 ? Errno.noEntry : error)
    }

    static func closeChip(_ chip: Chip) { gpiod_chip_close(chip) }

    static func name(_ chip: Chip) -> String { String(cString: gpiod_chip_name(chip)) }
    static func label(_ chip: Chip) -> String { String(cString: gpiod_chip_label(chip)) }
    static func lineCount(_ chip: Chip) -> Int { Int(gpiod_chip_num_lines(chip)) }

    /// The corresponding C function is `gpiod_chip_get_line`.
    static func line(_ chip: Chip, offset: Int) -> Result<Line, Errno> {
        if let line = gpiod_chip_get_line(chip, UInt32(offset)) { return .success(line) }
        return .failure(Errno.current)
    }

    /// Line flags for a request.
    static func flags(activeLow: Bool, bias: GpioBias) -> Int32 {
        var flags: Int32 = 0
        if activeLow { flags |= Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW) }
        switch bias {
        case .asIs: break
        case .disabled: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
        case .pullUp: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
        case .pullDown: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
        }
        return flags
    }

    /// The corresponding C function is `gpiod_line_request_output_flags`.
    static func requestOutput(_ line: Line, consumer: String, flags: Int32, initial: Bool) -> Result<Void, Errno> {
        retryingOnInterrupt { gpiod_line_request_output_flags(line, consumer, flags, initial ? 1 : 0) }.map { _ in () }
    }

    /// The corresponding C function is `gpiod_line_request_both_edges_events_flags`.
    static func requestEdges(_ line: Line, consumer: String, flags: Int32) -> Result<Void, Errno> {
        retryingOnInterrupt { gpiod_line_request_both_edges_events_flags(line, consumer, flags) }.map { _ in () }
    }

    /// The corresponding C function is `gpiod_line_set_value`.
    static func set(_ line: Line, _ value: Bool) -> Result<Void, Errno> {
        retryingOnInterrupt { gpiod_line_set_value(line, value ? 1 : 0) }.map { _ in () }
    }

    /// The logical value (active-low already applied). The corresponding C function is `gpiod_line_get_value`.
    static func get(_ line: Line) -> Result<Bool, Errno> {
        retryingOnInterrupt { gpiod_line_get_value(line) }.map { $0 != 0 }
    }

    /// Waits for an edge; false on timeout. The corresponding C function is `gpiod_line_event_wait`.
    static func waitEvent(_ line: Line, timeoutMs: Int) -> Result<Bool, Errno> {
        retryingOnInterrupt { perch_gpiod_event_wait_ms(line, Int64(timeoutMs)) }.map { $0 == 1 }
    }

    /// The corresponding C function is `gpiod_line_event_read`.
    static func readEvent(_ line: Line) -> Result<GpioEdge, Errno> {
        var event = gpiod_line_event()
        return retryingOnInterrupt { gpiod_line_event_read(line, &event) }.map { _ in
            GpioEdge(rising: event.event_type == Int32(GPIOD_LINE_EVENT_RISING_EDGE),
                     timestampNs: perch_gpiod_event_ns(&event))
        }
    }

    /// Gives the line back to the kernel. The corresponding C function is `gpiod_line_release`.
    static func release(_ line: Line) { gpiod_line_release(line) }
}
