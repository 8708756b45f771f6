/// `[web]`: the live view. The page and its endpoints are always on the Unix socket;
/// `listen` also opens a TCP listener serving the page and the read-only (GET/HEAD) API.
public struct WebConfig: Equatable, Sendable {
    /// Numeric host and port of the TCP listener; nil (the default) keeps perchd Unix-only.
    public var listen: WebAddress? = nil
    /// A file holding the token TCP clients must present (bearer header or cookie).
    public var tokenFile: String? = nil
    /// Most frames per second an MJPEG viewer is sent.
    public var streamFramesPerSecond: Int = 5
    /// JPEG quality of snapshots and MJPEG parts (1-100).
    public var jpegQuality: Int = 80

    public init() {}
}

/// `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`: a numeric address (no name lookups in
/// the daemon) and a port (0: any free port, logged at start).
public struct WebAddress: Equatable, Sendable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `[::1]:8080` or `127.0.0.1:8080`.
    public var description: String {
        (host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host) + ":" + String(port)
    }

    public init?(parsing text: String) {
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
            guard !host.isEmpty, host.utf8.contains(UInt8(ascii: ":")),
                  host.utf8.allSatisfy({ WebAddress.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ p in
                !p.isEmpty && p.utf8.count <= 3 && p.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && Int(p)! <= 255
            }) else { return nil }
        }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let port = Int(portText), port <= 65_535 else { return nil }
        self.init(host: host, port: port)
    }

    private static func isHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }
}

extension BasicSections {
    static func web(_ reader: inout SectionReader) -> WebConfig {
        var web = WebConfig()
        if let address = reader.value("listen", expected: "a numeric ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080", {
            nonEmptyString($0).flatMap { WebAddress(parsing: $0) }
        }) {
            web.listen = address
        }
        if let path = reader.value("token-file", expected: "an absolute path", absolutePath) { web.tokenFile = path }
        if let fps = reader.integer("stream-fps", in: 1...30) { web.streamFramesPerSecond = fps }
        if let quality = reader.integer("jpeg-quality", in: 1...100) { web.jpegQuality = quality }
        reader.finish()
        return web
    }
}
