extension HTTPClient {
    /// Where a request goes: `--notify` and `--alertmanager` URLs, parsed once at startup.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        /// `http` goes over vigil's own sockets, `https` through libcurl (TLS with verification).
        public enum Scheme: String, Sendable {
            case http, https

            var defaultPort: UInt16 { self == .https ? 443 : 80 }
        }

        public var scheme: Scheme
        public var host: String
        public var port: UInt16
        /// Path and query, starting with `/`.
        public var path: String

        /// Parses `http://HOST[:PORT][/PATH]` or `https://HOST[:PORT][/PATH]` (an IPv6 host in
        /// brackets); nil for anything else.
        public init?(url: String) {
            guard let separator = url.range(of: "://"), let scheme = Scheme(rawValue: String(url[..<separator.lowerBound])) else { return nil }
            self.scheme = scheme
            let rest = url[separator.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            path = slash == rest.endIndex ? "/" : String(rest[slash...])
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                guard after.isEmpty || after.hasPrefix(":"), let p = after.isEmpty ? scheme.defaultPort : UInt16(after.dropFirst()) else { return nil }
                port = p
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                guard let p = UInt16(authority[authority.index(after: colon)...]) else { return nil }
                port = p
            } else {
                host = String(authority)
                port = scheme.defaultPort
            }
            if host.isEmpty { return nil }
        }

        /// The URL, port always written out (libcurl is given this string too).
        public var description: String { "\(scheme.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(path)" }

        /// The same server, another path.
        public func with(path: String) -> Endpoint {
            var copy = self
            copy.path = path
            return copy
        }
    }
}
