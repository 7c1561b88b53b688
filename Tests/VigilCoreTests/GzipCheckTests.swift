import CSIMD
import CZlib
import Foundation
import Testing
@testable import VigilCore

/// vigil checks each gzip member's CRC-32 and length itself (zlib's check is off, its CRC was ~6 %
/// of a .gz replay): the folded CRC must equal zlib's, and damage must still be found wherever the
/// trailer falls in the reads.
@Suite struct GzipCheckTests {
    @Test func foldedCRCEqualsZlibsForEveryLengthAndAlignment() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.withUnsafeBufferPointer { all in
            var mismatches = 0
            for length in 0..<1100 {
                for offset in 0..<3 {
                    let start = all.baseAddress! + offset
                    let seed = UInt32(truncatingIfNeeded: length &* 2_654_435_761)
                    if vigil_crc32(seed, start, length) != vigil_crc32_portable(seed, start, length) { mismatches += 1 }
                }
            }
            #expect(mismatches == 0)
            // Long runs, and a CRC carried on across calls of odd sizes.
            #expect(vigil_crc32(0, all.baseAddress!, 5000) == UInt32(crc32_z(0, all.baseAddress!, 5000)))
            var carried: UInt32 = 0
            var at = 0
            for size in [1, 63, 64, 65, 200, 1000, 3607] {
                carried = vigil_crc32(carried, all.baseAddress! + at, size)
                at += size
            }
            #expect(carried == UInt32(crc32_z(0, all.baseAddress!, 5000)))
        }
    }

    /// Reads every line of `data` as gzip, handed to the inflater `sizes` bytes at a time.
    static func lines(of data: Data, sizes: [Int]) -> (lines: [String], error: InputError?) {
        let stream: GzipStream
        do { stream = try GzipStream(source: ChunkedStream(Array(data), sizes: sizes), path: "test.gz") } catch { return ([], error) }
        let reader = LineReader(stream: stream)
        var out: [String] = []
        do {
            while let line = try reader.next() { out.append(String(decoding: UnsafeBufferPointer(start: line.bytes, count: line.count), as: UTF8.self)) }
        } catch { return (out, error) }
        return (out, nil)
    }

    static func members(in dir: URL) throws -> (data: Data, text: [String]) {
        let a = (1...3000).map { "a \($0) payment authorized latency_ms=\($0 % 97)" }
        let b = (1...50).map { "b \($0)" }
        let first = try Data(contentsOf: InputTests.gzip(a.joined(separator: "\n") + "\n", in: dir, name: "a.gz"))
        let second = try Data(contentsOf: InputTests.gzip(b.joined(separator: "\n") + "\n", in: dir, name: "b.gz"))
        return (first + second, a + b)
    }

    @Test(arguments: [[1], [3, 5], [7], [4096], [1 << 20]])
    func intactMembersPassWhereverTheirTrailersFall(_ sizes: [Int]) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, text) = try Self.members(in: dir)
        let got = Self.lines(of: data, sizes: sizes)
        #expect(got.error == nil)
        #expect(got.lines == text)
    }

    @Test(arguments: [[1], [5], [1 << 20]])
    func damagedCRCOrLengthIsReportedAfterTheMembersLines(_ sizes: [Int]) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, text) = try Self.members(in: dir)
        let firstSize = try Data(contentsOf: dir.appendingPathComponent("a.gz")).count
        // The first member's trailer: CRC-32 at -8, length at -4 (little-endian).
        for (offset, words) in [(8, "incorrect data check"), (4, "incorrect length check")] {
            var damaged = data
            damaged[firstSize - offset] ^= 0x01
            let got = Self.lines(of: damaged, sizes: sizes)
            #expect(got.error?.kind == .corrupt)
            #expect(got.error?.message.contains(words) == true, "\(String(describing: got.error))")
            // Every line of the damaged member was read before the check failed; the next member is not.
            #expect(got.lines == Array(text.prefix(3000)))
        }
    }

    /// A member whose header carries its own CRC (FHCRC; `gzip` does not write one, so it is built
    /// here) is checked by zlib: a damaged header CRC is found (review finding: with zlib's check
    /// off it went unnoticed), an intact one reads as usual, after a member vigil checks itself.
    @Test(arguments: [false, true])
    func headerCRCIsChecked(damaged: Bool) throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            import sys, zlib, struct
            data = b"".join(b"line %d with a header crc\\n" % i for i in range(2000))
            header = bytes([0x1f, 0x8b, 8, 0x02, 0, 0, 0, 0, 0, 3])
            crc16 = zlib.crc32(header) & 0xffff
            if sys.argv[1] == "damaged": crc16 ^= 1
            body = zlib.compressobj(6, zlib.DEFLATED, -15)
            raw = body.compress(data) + body.flush()
            sys.stdout.buffer.write(header + struct.pack("<H", crc16) + raw + struct.pack("<II", zlib.crc32(data), len(data)))
            """
        let built = try TestSupport.run("/usr/bin/env", ["python3", "-c", script, damaged ? "damaged" : "intact"])
        let plain = try Data(contentsOf: InputTests.gzip("first member\n", in: dir, name: "first.gz"))
        for sizes in [[1 << 20], [3]] {
            let got = Self.lines(of: plain + built.stdout, sizes: sizes)
            if damaged {
                #expect(got.error?.message.contains("header crc mismatch") == true, "\(String(describing: got.error))")
                #expect(got.lines == ["first member"])
            } else {
                #expect(got.error == nil)
                #expect(got.lines.count == 2001)
                #expect(got.lines.last == "line 1999 with a header crc")
            }
        }
    }

    @Test func trailingGarbageKeepsTheLastMembersLines() throws {
        let dir = TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, text) = try Self.members(in: dir)
        let got = Self.lines(of: data + Data("not gzip".utf8), sizes: [1 << 20])
        #expect(got.error?.message.contains("trailing data") == true)
        #expect(got.lines == text)
    }
}
