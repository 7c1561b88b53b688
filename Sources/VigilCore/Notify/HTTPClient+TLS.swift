import CCurl

/// `https://` through a libcurl easy handle, one per request (deliveries are seconds apart; a
/// kept-alive connection would save little and could go stale between them).
///
/// What is fixed here and why: certificate and host name verification are always on (an
/// unverified webhook would hand incidents, and a URL that is itself a secret, to whoever sits in
/// between); `--ca-file` replaces the system store rather than adding to it; redirects are not
/// followed (a webhook that moved should be reconfigured, not chased with the payload); proxies
/// named in the environment are not used, as on the `http://` path; no signals (delivery threads).
extension HTTPClient {
    /// curl_global_init must run before the first handle; a static let runs it once, thread-safely.
    private static let curlInitialized: CURLcode = vigil_curl_global_init()

    func sendTLS(_ method: String, _ endpoint: Endpoint, body: [UInt8], contentType: String,
                 headers: [(String, String)]) throws(ServeError) -> Response {
        let initialized = Self.curlInitialized
        guard initialized == CURLE_OK else { throw ServeError("\(endpoint): libcurl: \(String(cString: curl_easy_strerror(initialized)))") }
        guard let handle = curl_easy_init() else { throw ServeError("\(endpoint): libcurl: cannot create a handle") }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // An empty `Expect:` keeps curl from waiting up to a second for `100 Continue` before a body over 1 KiB.
        for line in ["Content-Type: \(contentType)", "User-Agent: vigil", "Expect:"] + headers.map({ "\($0.0): \($0.1)" }) {
            guard let appended = curl_slist_append(headerList, line) else { throw ServeError("\(endpoint): libcurl: out of memory") }
            headerList = appended
        }
        let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        defer { errorText.deallocate() }
        errorText[0] = 0
        let received = ResponseBuffer()

        // The first failing option is kept: setopt fails only for memory or a libcurl built without the feature.
        var setup = CURLE_OK
        func apply(_ result: CURLcode) { if setup == CURLE_OK { setup = result } }
        apply(vigil_curl_set_string(handle, CURLOPT_URL, endpoint.description))
        apply(vigil_curl_set_slist(handle, CURLOPT_HTTPHEADER, headerList))
        apply(vigil_curl_set_long(handle, CURLOPT_NOSIGNAL, 1))
        apply(vigil_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        apply(vigil_curl_set_string(handle, CURLOPT_PROXY, ""))
        // The connection (TCP and TLS handshake) gets `timeout`, the whole exchange twice that: like
        // the plain path's per-step limits, a receiver that hangs after connecting is cut off.
        apply(vigil_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(timeout * 1000)))
        apply(vigil_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 2000)))
        apply(vigil_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        apply(vigil_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        if let caFile {
            apply(vigil_curl_set_string(handle, CURLOPT_CAINFO, caFile))
            // Debian's libcurl also reads /etc/ssl/certs (its built-in CA path): off, so that only the bundle is trusted.
            apply(vigil_curl_set_string(handle, CURLOPT_CAPATH, nil))
        }
        apply(vigil_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorText))
        apply(vigil_curl_set_write_function(handle, collectResponse))
        apply(vigil_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(received).toOpaque()))
        if method == "GET" && body.isEmpty {
            apply(vigil_curl_set_long(handle, CURLOPT_HTTPGET, 1))
        } else {
            apply(vigil_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count))
            if method != "POST" { apply(vigil_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)) }
        }
        guard setup == CURLE_OK else { throw ServeError("\(endpoint): libcurl: \(String(cString: curl_easy_strerror(setup)))") }

        let performed = withExtendedLifetime(received) {
            body.withUnsafeBytes { bytes -> CURLcode in
                if !(method == "GET" && body.isEmpty) {
                    // A zero-byte body still needs a non-NULL pointer, or curl would read one from stdin.
                    let start = bytes.baseAddress ?? UnsafeRawPointer(emptyBody.utf8Start)
                    let result = vigil_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: start))
                    if result != CURLE_OK { return result }
                }
                return curl_easy_perform(handle)
            }
        }
        // A write error of our own making: the answer was longer than we read, as on the plain path.
        if performed != CURLE_OK && !(performed == CURLE_WRITE_ERROR && received.truncated) {
            let detail = String(cString: errorText)
            throw ServeError("\(endpoint): \(String(cString: curl_easy_strerror(performed)))\(detail.isEmpty ? "" : ": \(detail)")")
        }
        var status = 0
        guard vigil_curl_response_code(handle, &status) == CURLE_OK, status > 0 else { throw ServeError("\(endpoint): not an HTTP response") }
        return Response(status: status, body: String(decoding: received.bytes, as: UTF8.self))
    }
}

/// The response body as libcurl hands it over, up to `HTTPClient.maxResponseBytes`.
private final class ResponseBuffer {
    var bytes: [UInt8] = []
    /// The receiver sent more than that; the transfer was stopped on purpose.
    var truncated = false
}

private let emptyBody: StaticString = ""

/// libcurl's write callback: keeps what fits and stops the transfer (by returning less than it
/// was given) once the receiver sends more.
private let collectResponse: curl_write_callback = { data, size, count, context in
    guard let context else { return 0 }
    let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let room = HTTPClient.maxResponseBytes - buffer.bytes.count
    if let data { buffer.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: min(length, room))) }
    if length > room {
        buffer.truncated = true
        return 0
    }
    return length
}
