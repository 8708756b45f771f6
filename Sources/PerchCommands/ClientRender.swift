import PerchJSON

/// Human-readable renderings of the API's JSON for the perch client.
enum ClientRender {
    static func text(_ value: JSONValue?) -> String {
        guard let value else { return "-" }
        if let s = value.stringValue { return s }
        if let i = value.int64Value, case .integer = value { return String(i) }
        if let d = value.doubleValue { return String(d) }
        if value.isNull { return "-" }
        return value.encodedString()
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((value * scale).rounded())
        let whole = scaled / Int64(scale)
        if digits == 0 { return String(whole) }
        var fraction = String(abs(scaled % Int64(scale)))
        while fraction.count < digits { fraction = "0" + fraction }
        return (scaled < 0 && whole == 0 ? "-" : "") + String(whole) + "." + fraction
    }

    static func status(_ v: JSONValue) -> String {
        guard let o = v.objectValue else { return v.encodedString() + "\n" }
        var out = "perchd " + text(o["version"]) + ", up " + fixed(o["uptime_seconds"]?.doubleValue ?? 0, digits: 0) + " s\n"
        out += "config  " + text(o["config"]) + "\nsocket  " + text(o["socket"]) + "\n\nsources:\n"
        for s in o["sources"]?.arrayValue ?? [] {
            guard let s = s.objectValue else { continue }
            out += "  " + pad(text(s["name"]), 12) + pad(text(s["kind"]), 11) + pad(text(s["state"]), 9)
                + "frames " + pad(text(s["frames"]), 9) + text(s["device"])
            // Only a source that has had trouble gets the counters line.
            let troubles = ["reconnects", "retries", "xruns"].filter { (s[$0]?.doubleValue ?? 0) > 0 }
            if !troubles.isEmpty {
                out += "\n      " + troubles.map { $0 + " " + text(s[$0]) }.joined(separator: ", ")
            }
            if let e = s["last_error"]?.stringValue { out += "\n      last error: " + e }
            out += "\n"
        }
        out += "\nmodels:\n"
        for m in o["models"]?.arrayValue ?? [] {
            guard let m = m.objectValue else { continue }
            out += "  " + pad(text(m["name"]), 12) + "inferences " + pad(text(m["inferences"]), 9)
                + "frames dropped " + pad(text(m["frames_dropped"]), 6) + text(m["kernel_path"]) + ", "
                + threadCount(m["threads"]) + "\n"
        }
        if let c = o["counters"]?.objectValue {
            out += "\ncounters: frames " + text(c["frames"]) + ", drops " + text(c["drops"]) + ", xruns " + text(c["xruns"])
                + ", inferences " + text(c["inferences"]) + ", events " + text(c["events"]) + "\n"
        }
        let lines = o["gpio"]?.arrayValue ?? []
        if !lines.isEmpty {
            out += "\ngpio:\n"
            for l in lines {
                guard let l = l.objectValue else { continue }
                out += "  " + pad(text(l["kind"]) + " " + text(l["name"]), 22) + pad(text(l["chip"]) + " line " + text(l["line"]), 20)
                    + text(l["state"]) + "\n"
            }
        }
        if let m = o["mqtt"]?.objectValue { out += mqtt(m) }
        if let r = o["record"]?.objectValue {
            out += "\nrecord: " + text(r["directory"]) + ", " + text(r["recordings"]) + " windows, " + text(r["bytes"])
                + " of " + text(r["budget_bytes"]) + " bytes; saved " + text(r["saved"]) + ", dropped " + text(r["dropped"])
                + ", failed " + text(r["failed"]) + "\n"
        }
        let faults = o["faults"]?.arrayValue ?? []
        if !faults.isEmpty {
            out += "\nfaults (the rest keeps running):\n"
            for f in faults {
                guard let f = f.objectValue else { continue }
                out += "  " + pad(text(f["component"]), 8) + text(f["message"]) + "\n"
            }
        }
        if let e = o["reload_error"]?.stringValue { out += "last reload failed:\n" + e + "\n" }
        if let e = o["last_error"]?.stringValue { out += "last error: " + e + "\n" }
        return out
    }

    /// `mqtt: 127.0.0.1:1883 connected (device 3f…)` and its counters.
    static func mqtt(_ m: JSONObject) -> String {
        var out = "\nmqtt: " + text(m["broker"]) + " " + text(m["state"]) + " (device " + text(m["device_id"]) + ")\n"
        out += "  connects " + text(m["connects"]) + ", retries " + text(m["retries"]) + ", queued " + text(m["queued"])
            + ", in flight " + text(m["inflight"]) + ", sent " + text(m["messages_sent"]) + "\n"
        out += "  events produced " + text(m["events_produced"]) + ", delivered " + text(m["events_delivered"])
            + ", dropped " + text(m["events_dropped"]) + "\n"
        if let e = m["last_error"]?.stringValue { out += "  last error: " + e + "\n" }
        return out
    }

    static func models(_ v: JSONValue) -> String {
        var out = ""
        for m in v.objectValue?["models"]?.arrayValue ?? [] {
            guard let m = m.objectValue else { continue }
            out += text(m["name"]) + ": " + text(m["file"]) + ", " + text(m["rate"]) + "/s, " + text(m["macs"]) + " MACs, "
                + text(m["kernel_path"]) + ", " + threadCount(m["threads"]) + "\n"
            for i in m["inputs"]?.arrayValue ?? [] {
                guard let i = i.objectValue else { continue }
                out += "  input " + text(i["index"]) + ": " + text(i["kind"]) + " from " + text(i["source"]) + " "
                    + (i["shape"]?.encodedString() ?? "") + "\n"
            }
            let labels = (m["labels"]?.arrayValue ?? []).map { text($0) }
            var joined = ""
            for (n, l) in labels.enumerated() { joined += (n == 0 ? "" : ", ") + l }
            out += "  labels: " + joined + "\n"
        }
        return out
    }

    /// "1 thread", "2 threads" ("- threads" from a daemon that does not say).
    static func threadCount(_ v: JSONValue?) -> String {
        let n = text(v)
        return n + (n == "1" ? " thread" : " threads")
    }

    static func scores(_ v: JSONValue?) -> String {
        var out = ""
        for member in v?.objectValue?.members ?? [] {
            out += "    " + pad(member.key, 18) + fixed(member.value.doubleValue ?? 0, digits: 3) + "\n"
        }
        return out
    }

    static func results(_ v: JSONValue) -> String {
        var out = ""
        for r in v.objectValue?["results"]?.arrayValue ?? [] {
            guard let r = r.objectValue else { continue }
            out += text(r["model"]) + ": " + text(r["inferences"]) + " inferences, last took " + text(r["inference_us"]) + " us\n"
            out += scores(r["scores"])
            if r["attribution"] != nil { out += "  attribution:\n" + scores(r["attribution"]) }
        }
        return out
    }

    static func outcome(_ v: JSONValue) -> String {
        guard let o = v.objectValue else { return v.encodedString() + "\n" }
        var out = text(o["model"]) + " (" + text(o["source"]) + ", " + text(o["inference_us"]) + " us):\n" + scores(o["scores"])
        if o["attribution"] != nil { out += "  attribution:\n" + scores(o["attribution"]) }
        return out
    }

    /// `2026-…` is not needed on a terminal: local seconds since the epoch are printed as
    /// HH:MM:SS UTC, then model, label, start/end, score.
    static func event(_ v: JSONValue) -> String {
        guard let o = v.objectValue else { return "" }
        if let gap = o["gap"]?.objectValue {
            return "(events " + text(gap["from"]) + "..." + text(gap["to"]) + " are no longer held by the daemon)\n"
        }
        if let reset = o["reset"]?.objectValue {
            let first = reset["first_seq"]?.int64Value ?? 1
            return "(perchd restarted: instance " + text(reset["instance"]) + ", its events from #" + String(first)
                + (first > 1 ? " (#1..." + String(first - 1) + " are no longer held)" : "") + ")\n"
        }
        let ms = o["time_ms"]?.int64Value ?? 0
        let day = (ms / 1000) % 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0" + String(n) : String(n) }
        let clock = two(day / 3600) + ":" + two(day / 60 % 60) + ":" + two(day % 60) + "." + String(ms % 1000 / 100)
        return clock + "  #" + pad(text(o["seq"]), 6) + pad(text(o["model"]), 10) + pad(text(o["label"]), 18)
            + pad(text(o["state"]), 6) + fixed(o["score"]?.doubleValue ?? 0, digits: 3) + "\n"
    }
}
