/// Reads configuration text into sections and entries, line by line. Syntax errors,
/// unknown sections and duplicates are collected, never fatal, so one run reports them all.
///
/// Grammar (one construct per line; `#` starts a comment outside quotes):
///     [kind]  or  [kind name]
///     key = value
enum ConfigLexer {
    static func parse(_ text: String, file: String) -> ConfigDocument {
        var document = ConfigDocument(file: file)
        // Entries after a broken or unknown header are skipped: reporting each of them
        // again would bury the one real mistake.
        var skipping = false
        var lineNumber = 0
        // Split bytes, not Characters: "\r\n" is one Character and would hide the line break.
        for lineBytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = Array(lineBytes)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            let origin = ConfigOrigin.file(file, line: lineNumber)
            // Values go on to C (paths, strtod), where a NUL would silently cut them short:
            // "off = 0<NUL>junk" read as 0.
            if let nul = bytes.firstIndex(of: 0) {
                document.diagnostics.append(ConfigDiagnostic(origin: origin, column: nul + 1,
                                                             message: "a NUL byte; a configuration is text (is the file damaged?)"))
                continue
            }
            var start = 0
            while start < bytes.count, isBlank(bytes[start]) { start += 1 }
            if start == bytes.count || bytes[start] == UInt8(ascii: "#") { continue }

            func fail(_ column: Int, _ message: String) {
                document.diagnostics.append(ConfigDiagnostic(origin: origin, column: column + 1, message: message))
            }

            if bytes[start] == UInt8(ascii: "[") {
                skipping = true
                guard let close = bytes[start...].firstIndex(of: UInt8(ascii: "]")) else {
                    fail(bytes.count, "expected ] to close the section header")
                    continue
                }
                var after = close + 1
                while after < bytes.count, isBlank(bytes[after]) { after += 1 }
                if after < bytes.count, bytes[after] != UInt8(ascii: "#") {
                    fail(after, "unexpected text after the section header")
                    continue
                }
                let words = String(decoding: bytes[(start + 1)..<close], as: UTF8.self)
                    .split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                if let section = header(words, origin: origin, column: start + 2, into: &document) {
                    document.sections.append(section)
                    skipping = false
                }
                continue
            }

            var keyEnd = start
            while keyEnd < bytes.count, isKeyByte(bytes[keyEnd]) { keyEnd += 1 }
            var equals = keyEnd
            while equals < bytes.count, isBlank(bytes[equals]) { equals += 1 }
            guard keyEnd > start, equals < bytes.count, bytes[equals] == UInt8(ascii: "=") else {
                fail(keyEnd == start ? start : equals, "expected key = value")
                continue
            }
            let key = String(decoding: bytes[start..<keyEnd], as: UTF8.self)
            var valueStart = equals + 1
            while valueStart < bytes.count, isBlank(bytes[valueStart]) { valueStart += 1 }
            let valueEnd: Int
            switch valueExtent(bytes, from: valueStart) {
            case .success(let end): valueEnd = end
            case .failure(let problem):
                fail(problem.column, problem.message)
                continue
            }
            let value = String(decoding: bytes[valueStart..<valueEnd], as: UTF8.self)
            if skipping { continue }
            guard !document.sections.isEmpty else {
                fail(start, "key outside any section; expected a [section] header first")
                continue
            }
            let current = document.sections.count - 1
            if let first = document.sections[current].entry(key) {
                document.diagnostics.append(ConfigDiagnostic(
                    origin: origin, section: document.sections[current].header, key: key,
                    message: "duplicate key (first set on line " + String(first.origin.line ?? 0) + ")"))
                continue
            }
            document.sections[current].entries.append(ConfigEntry(key: key, value: value, origin: origin))
        }
        return document
    }

    /// Checks a header's words; returns the section, or nil after recording why not.
    private static func header(_ words: [String], origin: ConfigOrigin, column: Int,
                               into document: inout ConfigDocument) -> ConfigSection? {
        func fail(_ message: String) {
            document.diagnostics.append(ConfigDiagnostic(origin: origin, column: column, message: message))
        }
        guard let kind = words.first, words.count <= 2 else {
            fail(words.isEmpty ? "empty section header; expected [kind] or [kind name]"
                               : "expected [kind] or [kind name], got " + String(words.count) + " words")
            return nil
        }
        let name = words.count == 2 ? words[1] : nil
        guard ConfigSectionKind.all.contains(kind) else {
            fail("unknown section [" + kind + "]"
                 + didYouMean(kind, among: ConfigSectionKind.all, decorate: { "[" + $0 + "]" })
                 + "; sections are " + joinedList(ConfigSectionKind.all.map { "[" + $0 + "]" }))
            return nil
        }
        if let name {
            if ConfigSectionKind.unnamed.contains(kind) {
                fail("section [" + kind + "] takes no name, got " + quoted(name))
                return nil
            }
            if !name.utf8.allSatisfy(isKeyByte) {
                fail("section name " + quoted(name) + " may only hold letters, digits, '.', '-' and '_'")
                return nil
            }
        } else if ConfigSectionKind.named.contains(kind), !ConfigSectionKind.optionallyNamed.contains(kind) {
            fail("section [" + kind + "] needs a name, e.g. [" + kind + " NAME]")
            return nil
        }
        let section = ConfigSection(kind: kind, name: name, origin: origin)
        if let first = document.sections.first(where: { $0.kind == kind && $0.name == name }) {
            fail("duplicate section " + section.header + " (first on line " + String(first.origin.line ?? 0) + ")")
            return nil
        }
        return section
    }

    /// Where a value ends: at a `#` outside quotes, without trailing blanks.
    private static func valueExtent(_ bytes: [UInt8], from start: Int) -> Result<Int, SyntaxProblem> {
        var i = start
        var end = start
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "#") { break }
            if byte == UInt8(ascii: "\"") {
                let open = i
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard i < bytes.count else {
                    return .failure(SyntaxProblem(column: open, message: "unterminated quoted string"))
                }
            }
            i += 1
            if !isBlank(byte) { end = i }
        }
        return .success(end)
    }

    private struct SyntaxProblem: Error {
        var column: Int
        var message: String
    }
}

func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

/// Letters, digits, `.`, `-`, `_`: keys, section names, source and model names.
func isKeyByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
        return true
    default:
        return false
    }
}
