#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The ticket each notify target created per incident or problem (`inc_…`/`prb_…` → `OPS-12`), so
/// later records comment on and close the same ticket.
///
/// In memory; with a path (`--state DIR`), written whole to a temporary file, synced and renamed on
/// every change, so a crash leaves the old or the new file and a restart still closes what it opened.
public final class TicketStore: @unchecked Sendable {
    /// Tickets kept per target; beyond this the oldest entry is forgotten (its ticket then gets no
    /// further comments, and a new update creates a new ticket).
    public static let maxPerTarget = 50_000

    private let path: String?
    private let lock = NSLock()
    // Guarded by `lock`: target → subject id → (ticket id, insertion order).
    private var tickets: [String: [String: (ticket: String, order: Int)]] = [:]
    private var order = 0

    public init(path: String?) {
        self.path = path
        if let path { load(path) }
    }

    public func ticket(target: String, subject: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        return tickets[target]?[subject]?.ticket
    }

    public func set(target: String, subject: String, ticket: String) {
        lock.lock()
        defer { lock.unlock() }
        order += 1
        tickets[target, default: [:]][subject] = (ticket, order)
        if tickets[target]!.count > Self.maxPerTarget, let oldest = tickets[target]!.min(by: { $0.value.order < $1.value.order }) {
            tickets[target]![oldest.key] = nil
        }
        save()
    }

    public func remove(target: String, subject: String) {
        lock.lock()
        defer { lock.unlock() }
        guard tickets[target]?.removeValue(forKey: subject) != nil else { return }
        save()
    }

    /// `{"version":1,"tickets":{"jira":{"inc_…":"OPS-12"}}}`, keys sorted.
    private func encoded() -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.key("version"); w.int(1)
        w.key("tickets"); w.beginObject()
        for target in tickets.keys.sorted() {
            w.key(target); w.beginObject()
            let entries = tickets[target]!
            for subject in entries.keys.sorted(by: { entries[$0]!.order < entries[$1]!.order }) { w.key(subject); w.string(entries[subject]!.ticket) }
            w.endObject()
        }
        w.endObject()
        w.endObject()
        w.newline()
        return w.bytes
    }

    /// Called with the lock held: writes are serialised, and one rename per change is cheap next to an HTTP call.
    private func save() {
        guard let path else { return }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(encoded())) else { return }
        let fd = open(temporary, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        rename(temporary, path)
    }

    private func load(_ path: String) {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let all = object["tickets"] as? [String: [String: String]] else { return }
        for (target, entries) in all {
            for (subject, ticket) in entries.sorted(by: { $0.key < $1.key }) {
                order += 1
                tickets[target, default: [:]][subject] = (ticket, order)
            }
        }
    }
}
