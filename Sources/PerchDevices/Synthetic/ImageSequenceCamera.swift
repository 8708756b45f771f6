import PerchSystem
import PerchMedia

/// A camera that plays a list of picture files (BMP/PPM/PGM), each for its duration, and
/// starts over after the last one: a scripted scene without hardware (`perchd --demo`).
///
/// The list file has one `FILE DURATION_MS` per line; `#` starts a comment and blank lines
/// are skipped. A relative FILE is found in the list's folder; a file listed twice is read
/// once. Frames come at the requested rate and each picture lasts
/// `DURATION_MS * fps / 1000` frames, rounded so that the loop lasts the sum of the
/// durations (at least one frame each). Pictures are scaled and converted like
/// ImageFileCamera does; a requested size of 0 takes the first picture's size.
public final class ImageSequenceCamera: FrameSource {
    /// One line of the list: which picture and for how many frames.
    struct Entry: Equatable {
        var picture: Int
        var frames: Int
        var durationMs: Int
    }

    /// The list file.
    public let name: String
    public private(set) var format: FrameFormat
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = CaptureStatistics()
    /// The distinct pictures' paths (resolved) and frame bytes.
    private(set) var paths: [String] = []
    private var pictures: [[UInt8]] = []
    private(set) var entries: [Entry] = []
    private var entry = 0
    private var shown = 0
    private var sequence: UInt32 = 0
    private var pacer: FramePacer
    private let request: FrameRequest

    public init(listPath: String, request: FrameRequest, paced: Bool = true) {
        name = listPath
        self.request = request
        format = FrameFormat(width: request.width, height: request.height, pixelFormat: request.pixelFormat,
                             framesPerSecond: Double(request.framesPerSecond))
        pacer = FramePacer(framesPerSecond: paced ? Double(request.framesPerSecond) : 0)
    }

    /// Frames in one pass of the list.
    public var loopFrames: Int {
        var total = 0
        for e in entries { total += e.frames }
        return total
    }

    public func start() throws(DeviceError) {
        let text: [UInt8]
        do { text = try Files.read(name) } catch {
            throw DeviceError.from(error, device: name, operation: "read")
        }
        let lines = try ImageSequenceCamera.parse(text, list: name)
        guard !lines.isEmpty else { throw .invalidArgument(name + ": no frames listed (expected lines of FILE DURATION_MS)") }
        var newPaths: [String] = []
        var images: [Image] = []
        var newEntries: [Entry] = []
        var elapsedMs = 0
        let fps = max(1, request.framesPerSecond)
        for line in lines {
            let path = ImageSequenceCamera.resolve(line.file, list: name)
            var index = -1
            for i in 0..<newPaths.count where newPaths[i] == path { index = i }
            if index < 0 {
                let place = name + ":" + String(line.number) + ": " + path
                do { images.append(try ImageFrames.load(path, device: place)) } catch {
                    if case .mediaFile(let problem) = error {
                        throw .invalidArgument(name + ":" + String(line.number) + ": " + problem.description)
                    }
                    throw error
                }
                newPaths.append(path)
                index = newPaths.count - 1
            }
            let first = (elapsedMs * fps + 500) / 1000
            elapsedMs += line.durationMs
            let last = (elapsedMs * fps + 500) / 1000
            newEntries.append(Entry(picture: index, frames: max(1, last - first), durationMs: line.durationMs))
        }
        format = ImageFrames.format(for: images[0], request: request)
        var rendered: [[UInt8]] = []
        for image in images { rendered.append(ImageFrames.render(image, to: format)) }
        paths = newPaths
        pictures = rendered
        entries = newEntries
        entry = 0
        shown = 0
        sequence = 0
        pacer.reset()
        state = .running
    }

    public func nextFrame(timeoutMs: Int, _ handler: (Frame) -> Void) throws(DeviceError) -> Bool {
        guard state == .running else { throw .invalidArgument("image sequence camera " + name + " is not started") }
        guard let timestamp = pacer.waitForNextFrame(timeoutMs: timeoutMs) else {
            statistics.timeouts += 1
            return false
        }
        let frame = sequence
        pictures[entries[entry].picture].withUnsafeBytes {
            handler(Frame(format: format, sequence: frame, timestampNs: timestamp, bytes: $0))
        }
        statistics.count(sequence: sequence, after: sequence == 0 ? nil : sequence - 1)
        sequence &+= 1
        shown += 1
        if shown >= entries[entry].frames {
            shown = 0
            entry = entry + 1 < entries.count ? entry + 1 : 0
        }
        return true
    }

    public func stop() { state = .closed }

    /// A line of the list file.
    struct Line: Equatable {
        var number: Int
        var file: String
        var durationMs: Int
    }

    /// The list's lines `FILE DURATION_MS` (FILE may hold spaces; the duration is the last
    /// word, whole milliseconds above 0). Comments (`#`) and blank lines are skipped.
    static func parse(_ text: [UInt8], list: String) throws(DeviceError) -> [Line] {
        var lines: [Line] = []
        var number = 0
        var start = 0
        while start < text.count {
            var end = start
            while end < text.count && text[end] != 10 { end += 1 }
            number += 1
            var stop = start
            while stop < end && text[stop] != 35 { stop += 1 }  // '#'
            var content = Array(text[start..<stop])
            while let last = content.last, isSpace(last) { content.removeLast() }
            while let first = content.first, isSpace(first) { content.removeFirst() }
            start = end + 1
            if content.isEmpty { continue }
            var split = content.count
            while split > 0 && !isSpace(content[split - 1]) { split -= 1 }
            var file = Array(content[0..<split])
            while let last = file.last, isSpace(last) { file.removeLast() }
            let duration = wholeNumber(Array(content[split...]))
            guard !file.isEmpty, let durationMs = duration, durationMs > 0 else {
                throw .invalidArgument(list + ":" + String(number) + ": expected FILE DURATION_MS (a duration in "
                                       + "whole milliseconds above 0), got \"" + String(decoding: content, as: UTF8.self) + "\"")
            }
            lines.append(Line(number: number, file: String(decoding: file, as: UTF8.self), durationMs: durationMs))
        }
        return lines
    }

    /// `file` as written in the list `list`: absolute as is, relative to the list's folder.
    static func resolve(_ file: String, list: String) -> String {
        if file.hasPrefix("/") { return file }
        let bytes = Array(list.utf8)
        var slash = bytes.count - 1
        while slash >= 0 && bytes[slash] != 47 { slash -= 1 }  // '/'
        if slash < 0 { return file }
        return String(decoding: bytes[0...slash], as: UTF8.self) + file
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 }

    private static func wholeNumber(_ digits: [UInt8]) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for d in digits {
            guard d >= 48 && d <= 57 else { return nil }
            value = value * 10 + Int(d - 48)
        }
        return value
    }
}
