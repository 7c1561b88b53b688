import Foundation

/// An HTTPS server for tests: Python's http.server behind an `ssl.SSLContext`, with a certificate
/// for 127.0.0.1 from a throwaway CA that `openssl` makes in the test's directory (so it is in no
/// system store). It records every request to a file and answers 200 `ok`; `GET`/`POST /large`
/// is answered with 2 MiB, to test the client's cap on responses.
final class TLSReceiver {
    static let openssl = ServiceSupport.executable(["openssl"])
    static let python = ServiceSupport.executable(["python3"])
    static var available: Bool { openssl != nil && python != nil }

    struct Request: Equatable {
        /// `POST /hook`
        var line: String
        var body: String
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    let port: UInt16
    /// The throwaway CA's certificate (PEM), for `--ca-file`.
    let caFile: String
    private let process: Process
    private let requestsFile: URL

    init(dir: URL) throws {
        caFile = try Self.makeCertificates(in: dir)
        requestsFile = dir.appendingPathComponent("tls-requests.jsonl")
        let script = try TestSupport.write(Self.server, "tls_receiver.py", in: dir)
        let log = dir.appendingPathComponent("tls-receiver.log")
        let started = try ServiceSupport.start(Self.python!, [
            script.path, dir.appendingPathComponent("server.pem").path, dir.appendingPathComponent("server.key").path, requestsFile.path,
        ], log: log)
        process = started
        // The server binds port 0 and prints the port it got once it listens (no race for a free port).
        var ready: UInt16?
        ServiceSupport.waitUntil(timeout: 15, interval: 0.05) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            ready = text.split(separator: "\n").first { $0.hasPrefix("listening ") }.flatMap { UInt16($0.dropFirst(10)) }
            return ready != nil || !started.isRunning
        }
        guard let ready else {
            ServiceSupport.stop(started)
            throw StartError(description: "the HTTPS receiver did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        port = ready
    }

    /// Requests in arrival order.
    var requests: [Request] {
        let text = (try? String(contentsOf: requestsFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                  let request = object["line"], let body = object["body"] else { return nil }
            return Request(line: request, body: body)
        }
    }

    func stop() { ServiceSupport.stop(process) }

    /// A CA, and a server certificate it signed for IP 127.0.0.1 (EC keys: quick to make).
    /// Returns the CA certificate's path; `server.pem` and `server.key` are next to it.
    private static func makeCertificates(in dir: URL) throws -> String {
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let extensions = try TestSupport.write("""
            subjectAltName = IP:127.0.0.1
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            """, "server.ext", in: dir)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=vigil test CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
             "-keyout", path("ca.key"), "-out", path("ca.pem")],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", path("server.key"), "-out", path("server.csr")],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-CAcreateserial",
             "-days", "2", "-extfile", extensions.path, "-out", path("server.pem")],
        ]
        for arguments in steps {
            let result = try TestSupport.run(openssl!, arguments, cwd: dir)
            if result.status != 0 { throw StartError(description: "openssl \(arguments[0]) failed: \(result.stderr)") }
        }
        return path("ca.pem")
    }

    private static let server = #"""
        import http.server, json, signal, ssl, sys

        # Started from a test's thread, whose signals libdispatch blocks, and the mask is inherited:
        # unblocked, or the SIGTERM of stop() would never arrive.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        cert, key, requests = sys.argv[1:4]

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with open(requests, "a") as out:
                    out.write(json.dumps({"line": f"{self.command} {self.path}", "body": body.decode()}) + "\n")
                reply = b"x" * (2 << 20) if self.path == "/large" else b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_PATCH = answer

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        print(f"listening {server.server_address[1]}", flush=True)
        server.serve_forever()
        """#
}
