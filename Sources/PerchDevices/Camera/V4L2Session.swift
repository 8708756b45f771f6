import CPerchV4L2
import PerchMedia
import PerchSystem

/// One open V4L2 capture node: negotiated format, mmap buffers, streaming. A session is
/// thrown away when the device disappears; `V4L2Camera` opens a new one.
final class V4L2Session {
    let path: String
    let fd: Int32
    private(set) var format: FrameFormat
    private var buffers: [(address: UnsafeMutableRawPointer, length: Int)] = []
    private var streaming = false
    private var closed = false

    /// Opens `path`. Errors name the device.
    init(path: String) throws(DeviceError) {
        self.path = path
        switch V4L2.open(path) {
        case .success(let fd): self.fd = fd
        case .failure(let e) where e.code == ENOTTY:
            throw DeviceError.unsupported(device: path, "not a V4L2 device")
        case .failure(let e): throw DeviceError.from(e, device: path, operation: "open")
        }
        format = FrameFormat(width: 0, height: 0, pixelFormat: .rgb24, framesPerSecond: 0)
    }

    deinit { close() }

    /// Checks the node captures and streams, then sets format and rate; the driver's
    /// choice (it may adjust size and rate) becomes `format`.
    func negotiate(_ request: FrameRequest) throws(DeviceError) {
        let caps = try check(capabilities(), "VIDIOC_QUERYCAP")
        guard caps.canCapture else { throw .unsupported(device: path, "not a video capture node (" + caps.driver + ")") }
        guard caps.canStream else { throw .unsupported(device: path, "no streaming I/O") }

        var fmt = v4l2_format()
        fmt.type = V4L2.captureType
        fmt.fmt.pix.width = UInt32(request.width)
        fmt.fmt.pix.height = UInt32(request.height)
        fmt.fmt.pix.pixelformat = V4L2.fourcc(request.pixelFormat)
        fmt.fmt.pix.field = UInt32(V4L2_FIELD_NONE.rawValue)
        try check(V4L2.ioctl(fd, V4L2.setFormat, &fmt), "VIDIOC_S_FMT")
        guard let chosen = V4L2.pixelFormat(fourcc: fmt.fmt.pix.pixelformat) else {
            throw .unsupported(device: path, "asked for " + request.pixelFormat.name + ", driver offers "
                               + V4L2.fourccName(fmt.fmt.pix.pixelformat))
        }

        var parm = v4l2_streamparm()
        parm.type = V4L2.captureType
        parm.parm.capture.timeperframe = v4l2_fract(numerator: 1, denominator: UInt32(request.framesPerSecond))
        // Not every driver lets the rate be set; keep whatever it reports then.
        _ = V4L2.ioctl(fd, V4L2.setParameters, &parm)
        var current = v4l2_streamparm()
        current.type = V4L2.captureType
        let fps = (try? V4L2.ioctl(fd, V4L2.getParameters, &current).get()) != nil
            ? rate(of: current.parm.capture.timeperframe) : 0

        let width = Int(fmt.fmt.pix.width), height = Int(fmt.fmt.pix.height)
        let minimumLine = chosen.rowBytes(width: width)
        let line = max(Int(fmt.fmt.pix.bytesperline), minimumLine)
        format = FrameFormat(width: width, height: height, pixelFormat: chosen, bytesPerLine: line, framesPerSecond: fps)
    }

    /// Requests `count` mmap buffers, maps and queues them, and starts streaming.
    func startStreaming(bufferCount: Int) throws(DeviceError) {
        var request = v4l2_requestbuffers()
        request.count = UInt32(bufferCount)
        request.type = V4L2.captureType
        request.memory = V4L2.memoryMap
        try check(V4L2.ioctl(fd, V4L2.requestBuffers, &request), "VIDIOC_REQBUFS")
        guard request.count >= 2 else { throw .unsupported(device: path, "driver gave " + String(request.count) + " buffers") }
        for index in 0..<request.count {
            var buffer = describedBuffer(index)
            try check(V4L2.ioctl(fd, V4L2.queryBuffer, &buffer), "VIDIOC_QUERYBUF")
            switch V4L2.map(fd, length: Int(buffer.length), offset: buffer.m.offset) {
            case .success(let address): buffers.append((address, Int(buffer.length)))
            case .failure(let e): throw DeviceError.from(e, device: path, operation: "mmap")
            }
            try check(V4L2.ioctl(fd, V4L2.queueBuffer, &buffer), "VIDIOC_QBUF")
        }
        var type = Int32(V4L2.captureType)
        try check(V4L2.ioctl(fd, V4L2.streamOn, &type), "VIDIOC_STREAMON")
        streaming = true
    }

    var bufferCount: Int { buffers.count }

    /// Waits up to `timeoutMs` for a filled buffer, hands it to `handler`, and queues it
    /// again. Returns false on timeout.
    func dequeue(timeoutMs: Int, _ handler: (UnsafeRawBufferPointer, UInt32, Int64) -> Void) throws(DeviceError) -> Bool {
        let events: PollEvents
        switch pollDescriptor(fd, for: .readable, timeoutMilliseconds: Int32(timeoutMs)) {
        case .success(let e): events = e
        case .failure(let e): throw DeviceError.from(e, device: path, operation: "poll")
        }
        if events.isEmpty { return false }
        // POLLERR without data: DQBUF below reports why (ENODEV when unplugged).
        var buffer = describedBuffer(0)
        switch V4L2.ioctl(fd, V4L2.dequeueBuffer, &buffer) {
        case .success: break
        case .failure(let e) where e == .wouldBlock:
            if events.contains(.error) { throw DeviceError.disconnected(device: path, Errno.io) }
            return false
        case .failure(let e): throw DeviceError.from(e, device: path, operation: "VIDIOC_DQBUF")
        }
        let slot = buffers[Int(buffer.index)]
        let used = min(Int(buffer.bytesused), slot.length)
        let timestamp = Int64(buffer.timestamp.tv_sec) * 1_000_000_000 + Int64(buffer.timestamp.tv_usec) * 1_000
        handler(UnsafeRawBufferPointer(start: slot.address, count: used), buffer.sequence, timestamp)
        try check(V4L2.ioctl(fd, V4L2.queueBuffer, &buffer), "VIDIOC_QBUF")
        return true
    }

    /// Stops streaming, unmaps buffers, closes the node. Errors are ignored: the device
    /// may already be gone.
    func close() {
        guard !closed else { return }
        closed = true
        if streaming {
            var type = Int32(V4L2.captureType)
            _ = V4L2.ioctl(fd, V4L2.streamOff, &type)
            streaming = false
        }
        for slot in buffers { V4L2.unmap(slot.address, length: slot.length) }
        if !buffers.isEmpty {
            var request = v4l2_requestbuffers()
            request.type = V4L2.captureType
            request.memory = V4L2.memoryMap
            _ = V4L2.ioctl(fd, V4L2.requestBuffers, &request)  // count 0 frees them
            buffers = []
        }
        V4L2.close(fd)
    }

    private func describedBuffer(_ index: UInt32) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = index
        buffer.type = V4L2.captureType
        buffer.memory = V4L2.memoryMap
        return buffer
    }

    @discardableResult
    private func check<T>(_ result: Result<T, Errno>, _ operation: String) throws(DeviceError) -> T {
        switch result {
        case .success(let value): return value
        case .failure(let e): throw DeviceError.from(e, device: path, operation: operation)
        }
    }
}
