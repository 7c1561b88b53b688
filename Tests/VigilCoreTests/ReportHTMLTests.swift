import Foundation
import Testing
@testable import VigilCore

/// The HTML report, rendered by headless Chromium: the page must not be blank and must hold the KPI
/// table and one incident chart per incident. Set `VIGIL_REPORT_SCREENSHOT=DIR` to keep the screenshots.
@Suite struct ReportHTMLTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Case → incidents started in its period (one chart each).
    static let cases = ["kpi": 4, "demo": 2, "open-incident": 1, "empty": 0]

    @Test(.enabled(if: chromium != nil, "chromium is not installed (Debian: apt-get install chromium, or run .ci/deps); HTML rendering not tested"),
          arguments: cases.keys.sorted())
    func htmlRendersInChromium(_ name: String) throws {
        let caseDir = TestSupport.fixtures.appendingPathComponent("report/\(name)")
        let scratch = TestSupport.temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let html = scratch.appendingPathComponent("report.html")
        let report = try TestSupport.vigil(["report", "--html", html.path] + ReportGoldenTests.args(name) + ReportGoldenTests.recordFiles(name), cwd: caseDir)
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<table class=\"kpi\">"))
        #expect(page.components(separatedBy: "<svg class=\"incident-chart\"").count - 1 == Self.cases[name], "one chart per incident")
        #expect(!page.contains(" src=") && !page.contains(" href="), "self-contained: nothing to fetch")
        if name == "kpi" {
            #expect(page.contains("/pay?a=1&amp;b=&lt;2&gt; | &quot;card&quot; declined"), "record text is escaped")
            #expect(!page.contains("<2>") && !page.contains("<beta>"))
        }

        let png = scratch.appendingPathComponent("out.png")
        let shot = try TestSupport.run(Self.chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                       "--user-data-dir=\(scratch.appendingPathComponent("profile").path)",
                                                       "--window-size=1280,2000", "--screenshot=\(png.path)", html.absoluteString], cwd: scratch)
        #expect(FileManager.default.fileExists(atPath: png.path), "chromium wrote no screenshot: \(shot.stderr.suffix(800))")
        if let keep = ProcessInfo.processInfo.environment["VIGIL_REPORT_SCREENSHOT"] {
            try? FileManager.default.copyItem(at: png, to: URL(fileURLWithPath: keep).appendingPathComponent("report-\(name).png"))
        }
        // Decodes the PNG with Python's zlib and counts the rows that are not one flat colour.
        let check = try TestSupport.run("/usr/bin/env", ["python3", "-c", Self.pngInk, png.path])
        let parts = check.text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        try #require(parts.count == 3, "png check failed: \(check.text) \(check.stderr)")
        #expect(parts[0] == 1280 && parts[1] == 2000)
        // A blank page has no ink rows; the KPI table alone gives far more than 150.
        #expect(parts[2] > (name == "empty" ? 150 : 600), "screenshot looks blank: \(parts[2]) rows with ink")
    }

    /// Prints `WIDTH HEIGHT ROWS_WITH_INK` of a PNG (8-bit RGB/RGBA, not interlaced). Filtered
    /// scanlines of a flat row are constant after the filter byte, so no unfiltering is needed.
    static let pngInk = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        pos, idat, width, height, channels = 8, b'', 0, 0, 0
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            if kind == b'IHDR':
                width, height, depth, colour = struct.unpack('>IIBB', body[:10])
                channels = {2: 3, 6: 4}[colour]
            elif kind == b'IDAT':
                idat += body
            pos += 12 + length
        raw = zlib.decompress(idat)
        stride = 1 + width * channels
        assert len(raw) == stride * height
        ink = sum(1 for y in range(height) if len(set(raw[y * stride + 1 + channels:(y + 1) * stride])) > 1)
        print(width, height, ink)
        """
}
