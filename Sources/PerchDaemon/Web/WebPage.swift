/// The live view's page, served at GET /: one HTML document with its CSS and script inline
/// (no external resources: the board may be offline; no framework, no build step). The
/// parts live in WebPage+Style.swift, WebPage+Body.swift and WebPage+Script.swift.
enum WebPage {
    static let html: [UInt8] = Array(("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"color-scheme\" content=\"light dark\"><title>Perch live view</title>"
        // An empty icon: without it every browser asks for /favicon.ico and logs the 404.
        + "<link rel=\"icon\" href=\"data:,\"><style>"
        + WebPage.style + "</style></head><body>" + WebPage.body + "<script>" + WebPage.script + "</script></body></html>\n").utf8)
}
