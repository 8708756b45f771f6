import PerchFrontends
import PerchMedia
import PerchSystem

/// The recording directory in the training tool's layout (tools/train/README.md): `labels.txt`,
/// `train/NAME.wav` (1 s, 16-bit PCM mono), `train/NAME.ppm` and `train/labels.csv`
/// ("name,labels", labels separated by ";"). Keeps the recordings under a byte budget by
/// deleting the oldest first. Used by the recorder thread only.
final class DatasetStore {
    let directory: String
    let budgetBytes: Int
    private var train: String { directory + "/train" }
    /// Recordings in labels.csv order (oldest first), with their files' bytes.
    private(set) var entries: [(name: String, labels: String, bytes: Int)] = []
    private var nextNumber = 1
    private(set) var totalBytes = 0
    private var opened = false

    init(directory: String, budgetBytes: Int) {
        self.directory = directory
        self.budgetBytes = budgetBytes
    }

    /// Creates the directories and `labels.txt` (when missing) and reads what earlier runs
    /// recorded. Called before each save until it succeeds, so a directory that appears
    /// (or becomes writable) later is picked up.
    func open(labels: [String]) throws(Errno) {
        if opened { return }
        try FileSystem.makeDirectory(directory)
        try FileSystem.makeDirectory(train)
        if !FileSystem.exists(directory + "/labels.txt") {
            var text = ""
            for label in labels { text += label + "\n" }
            try Files.write(directory + "/labels.txt", Array(text.utf8))
        }
        entries = []
        totalBytes = 0
        if let csv = try? Files.read(train + "/labels.csv") {
            for line in csv.split(separator: UInt8(ascii: "\n")).dropFirst() {
                let text = String(decoding: line, as: UTF8.self)
                guard let comma = text.firstIndex(of: ",") else { continue }
                let name = String(text[..<comma])
                let labels = String(text[text.index(after: comma)...])
                var bytes = 0
                for suffix in [".wav", ".ppm"] { bytes += (try? FileSystem.size(train + "/" + name + suffix)) ?? 0 }
                entries.append((name, labels, bytes))
                totalBytes += bytes
                if let number = DatasetStore.number(name) { nextNumber = max(nextNumber, number + 1) }
            }
        }
        opened = true
    }

    /// `rec-000042` → 42.
    static func number(_ name: String) -> Int? {
        guard name.hasPrefix("rec-") else { return nil }
        return Int(name.dropFirst(4))
    }

    static func name(_ number: Int) -> String {
        var digits = String(number)
        while digits.utf8.count < 6 { digits = "0" + digits }
        return "rec-" + digits
    }

    /// Saves one 1 s window (either part may be missing) under the next name; rotates first
    /// so the budget holds afterwards. Returns the name.
    func save(audio: [Int16]?, frame: Image?, labels: [String]) throws(RecordError) -> String {
        let wav = audio.map { WAVFile.encode(WAVAudio(sampleRate: 16_000, channels: 1, samples: $0)) }
        let ppm = frame.map(DatasetStore.ppm)
        let bytes = (wav?.count ?? 0) + (ppm?.count ?? 0)
        if bytes > budgetBytes {
            throw RecordError("one recording (" + String(bytes) + " bytes) is larger than the budget of "
                              + String(budgetBytes) + " bytes")
        }
        var removed = false
        while totalBytes + bytes > budgetBytes, !entries.isEmpty {
            let oldest = entries.removeFirst()
            for suffix in [".wav", ".ppm"] { try? FileSystem.unlink(train + "/" + oldest.name + suffix) }
            totalBytes -= oldest.bytes
            removed = true
        }
        if removed { try writeIndex() }
        let name = DatasetStore.name(nextNumber)
        nextNumber += 1
        var label = ""
        for (i, l) in labels.enumerated() { label += (i == 0 ? "" : ";") + l }
        do throws(Errno) {
            if let wav { try Files.write(train + "/" + name + ".wav", wav) }
            if let ppm { try Files.write(train + "/" + name + ".ppm", ppm) }
        } catch {
            // A half-written pair is worse than none: the trainer would stop at it.
            try? FileSystem.unlink(train + "/" + name + ".wav")
            try? FileSystem.unlink(train + "/" + name + ".ppm")
            throw RecordError("cannot write " + train + "/" + name + ": " + error.description)
        }
        entries.append((name, label, bytes))
        totalBytes += bytes
        do throws(RecordError) {
            try writeIndex()
        } catch {
            entries.removeLast()
            totalBytes -= bytes
            try? FileSystem.unlink(train + "/" + name + ".wav")
            try? FileSystem.unlink(train + "/" + name + ".ppm")
            throw error
        }
        return name
    }

    /// labels.csv rewritten whole and renamed into place: never half a line after a full disk.
    private func writeIndex() throws(RecordError) {
        var text = "name,labels\n"
        for entry in entries { text += entry.name + "," + entry.labels + "\n" }
        let path = train + "/labels.csv"
        do throws(Errno) {
            try Files.write(path + ".tmp", Array(text.utf8))
            try FileSystem.rename(path + ".tmp", to: path)
        } catch {
            try? FileSystem.unlink(path + ".tmp")
            throw RecordError("cannot write " + path + ": " + error.description)
        }
    }

    /// P6 RGB, whatever the camera's pixel format.
    static func ppm(_ frame: Image) -> [UInt8] {
        let rgb = frame.withView { RGBFrame.convert($0) }
        var out = Array(("P6\n" + String(frame.width) + " " + String(frame.height) + "\n255\n").utf8)
        out.append(contentsOf: rgb)
        return out
    }
}

/// Why a recording was not saved.
struct RecordError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
