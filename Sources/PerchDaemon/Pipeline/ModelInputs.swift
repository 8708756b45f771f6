import PerchDaemonCore
import PerchFrontends
import PerchMedia
import PerchRuntime
import PerchSystem

/// A model input fed by a camera: its queue and preprocessing.
final class ImageInput {
    let index: Int
    let source: String
    let pipeline: ImagePipeline
    let queue: BoundedQueue<Image>
    var last: Image? = nil
    var droppedReported: UInt64 = 0
    var freshness: FrameFreshness

    init(index: Int, source: String, pipeline: ImagePipeline, queue: BoundedQueue<Image>, modelRate: Double,
         cameraFps: Int) {
        self.index = index
        self.source = source
        self.pipeline = pipeline
        self.queue = queue
        freshness = FrameFreshness(modelRate: modelRate, cameraFps: Double(cameraFps))
    }

    /// Takes the newest queued frame (older ones are skipped); keeps the previous one when
    /// none is new. Returns the frame to use, if any was ever captured.
    func newest() -> Image? {
        var new = false
        while let frame = queue.tryPop() { last = frame; new = true }
        if new { freshness.newFrame(at: MonotonicClock.nanoseconds) }
        return last
    }

    func fill(_ frame: Image, into tensor: UnsafeMutableRawBufferPointer) -> String? {
        let pipeline = self.pipeline
        return frame.withView { view in
            do throws(FrontendError) {
                try pipeline.run(view, into: tensor)
                return nil
            } catch {
                return error.description
            }
        }
    }
}

/// A model input fed by a microphone's feature frames.
final class AudioInput {
    let index: Int
    let source: String
    let frames: Int
    let ring: FeatureRing

    init(index: Int, source: String, frames: Int, ring: FeatureRing) {
        self.index = index
        self.source = source
        self.frames = frames
        self.ring = ring
    }

    /// Features of an uploaded clip: mixed to mono, resampled to 16 kHz, the last `frames`
    /// frames (zero in front when the clip is shorter).
    func fill(clip: WAVAudio, into tensor: UnsafeMutableRawBufferPointer) -> String? {
        let channels = max(1, clip.channels)
        var mono = [Int16](repeating: 0, count: clip.frameCount)
        for i in 0..<clip.frameCount {
            var sum = 0
            for c in 0..<channels { sum += Int(clip.samples[i * channels + c]) }
            mono[i] = Int16(sum / channels)
        }
        let ring = FeatureRing(frameSize: 40, capacity: frames)
        do throws(FrontendError) {
            let extractor = try AudioFeatureExtractor()
            let emit: (UnsafeBufferPointer<Int16>) -> Void = { samples in
                extractor.process(samples) { ring.append($0) }
            }
            if clip.sampleRate == MicrophoneWorker.featureRate {
                mono.withUnsafeBufferPointer(emit)
            } else {
                let resampler = try Resampler(inputRate: clip.sampleRate, outputRate: MicrophoneWorker.featureRate, channels: 1)
                resampler.process(mono, emit)
            }
        } catch {
            return error.description
        }
        ring.latest(frames, into: tensor)
        return nil
    }
}

enum FrontendMapping {
    static func region(_ crop: CropRegion) -> RegionOfInterest {
        switch crop {
        case .centre: return .centreCrop
        case .full: return .full
        case .size(let w, let h): return .centre(width: w, height: h)
        case .rectangle(let x, let y, let w, let h): return .rect(PixelRect(x: x, y: y, width: w, height: h))
        }
    }

    static func normalization(_ n: Normalization) -> PixelNormalization {
        switch n {
        case .unit: return .unit
        case .symmetric: return .symmetric
        case .minus128: return .minus128
        }
    }

    /// Dequantizes an int8 output tensor.
    static func dequantize(_ tensor: Tensor, _ bytes: UnsafeMutableRawBufferPointer) -> [Float] {
        let scale = tensor.quantization?.scales.first ?? 1
        let zero = tensor.quantization?.zeroPoints.first ?? 0
        let q = OutputQuantization(scale: scale, zeroPoint: zero)
        return q.dequantize(UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: Int8.self),
                                                count: tensor.elementCount))
    }
}
