"""A raw HTTP/1.1 client for the end-to-end tests.

It writes exactly the bytes a test gives it and returns exactly the bytes the
server answered (status line, headers, body), so tests can assert the wire
form. It supports keep-alive (several requests on one connection), half-sent
requests (slow clients) and malformed requests. Standard library only.
"""

import socket
import ssl
import threading
import urllib.parse
import uuid


class Response:
    """One parsed HTTP response; `raw` holds its exact bytes."""

    def __init__(self, raw, version, status, reason, headers, body):
        self.raw = raw
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers  # [(name, value)] in wire order
        self.body = body

    def header(self, name):
        """The first value of header `name` (case-insensitive), or None."""
        values = self.headers_named(name)
        return values[0] if values else None

    def headers_named(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8")

    def __repr__(self):
        return f"Response({self.raw!r})"


class Connection:
    """One TCP connection to the server; responses are read one at a time."""

    def __init__(self, port, host="127.0.0.1", timeout=15.0, tls_cafile=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if tls_cafile:
            context = ssl.create_default_context(cafile=str(tls_cafile))
            self.sock = context.wrap_socket(self.sock, server_hostname=host)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def request(self, data, head=False):
        """Sends `data` and reads one response (None if the server closed)."""
        self.send(data)
        return self.read_response(head=head)

    def request_racing(self, data, chunk=65536):
        """Sends `data` while already reading the answer, for requests the
        server may refuse before it has read them (over a limit): the answer
        is read even if the server closes (and resets) while bytes are left.
        Returns the response, or None when the server closed without one."""
        result = {}

        def read():
            try:
                result["response"] = self.read_response()
            except (OSError, EOFError) as e:
                result["error"] = e
        reader = threading.Thread(target=read)
        reader.start()
        try:
            for i in range(0, len(data), chunk):
                self.sock.sendall(data[i:i + chunk])
        except OSError:
            pass  # the server stopped reading: its answer is what counts
        reader.join(self.sock.gettimeout() or 30)
        if "error" in result:
            raise result["error"]
        return result.get("response")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by server")
        self.buffer += chunk

    def read_response(self, head=False):
        """Reads one response; None when the server closed before a byte."""
        try:
            while b"\r\n\r\n" not in self.buffer:
                self._fill()
        except EOFError:
            if not self.buffer:
                return None
            raise
        end = self.buffer.index(b"\r\n\r\n") + 4
        head_bytes = self.buffer[:end]
        lines = head_bytes[:-4].split(b"\r\n")
        version, status, reason = (lines[0].decode("latin-1").split(" ", 2) + [""])[:3]
        headers = []
        for line in lines[1:]:
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name, value.strip()))
        self.buffer = self.buffer[end:]
        names = {n.lower(): v for n, v in headers}
        if head or int(status) in (204, 304) or 100 <= int(status) < 200:
            body = b""
        elif "chunked" in names.get("transfer-encoding", "").lower():
            body = self._read_chunked()
        elif "content-length" in names:
            body = self._read_exact(int(names["content-length"]))
        else:
            body = self._read_to_close()
        raw = head_bytes + body
        return Response(raw, version, int(status), reason, headers, body)

    def _read_exact(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _read_chunked(self):
        # Kept raw (size lines included) so `raw` stays the exact wire bytes.
        body = b""
        while True:
            while b"\r\n" not in self.buffer:
                self._fill()
            line, _, self.buffer = self.buffer.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            body += line + b"\r\n" + self._read_exact(size + 2)
            if size == 0:
                return body

    def _read_to_close(self):
        try:
            while True:
                self._fill()
        except (EOFError, ConnectionResetError):
            pass
        data, self.buffer = self.buffer, b""
        return data

    def closed_by_peer(self, wait=2.0):
        """True when the server closes the connection within `wait` seconds."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError, ssl.SSLEOFError):
            return True
        self.buffer += data
        return data == b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def build_request(method, target, headers=(), body=b"", host="127.0.0.1",
                  version="HTTP/1.1", content_length=True):
    """Request bytes; adds Host and (for a body or POST/PUT) Content-Length."""
    lines = [f"{method} {target} {version}"]
    names = {n.lower() for n, _ in headers}
    if "host" not in names and host is not None:
        lines.append(f"Host: {host}")
    lines += [f"{n}: {v}" for n, v in headers]
    if content_length and "content-length" not in names and (body or method in ("POST", "PUT")):
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (body if isinstance(body, bytes) else body.encode("utf-8"))


def encode_value(value, charset="utf-8", safe=""):
    """Percent-encodes `value` (str in `charset`, or bytes) with + for space."""
    data = value if isinstance(value, bytes) else value.encode(charset)
    return urllib.parse.quote_plus(data, safe=safe)


def encode_pairs(pairs, charset="utf-8"):
    """application/x-www-form-urlencoded text of [(name, value)] pairs.

    A value given as `Raw(text)` is inserted as is (already encoded, or raw
    on purpose as clients like node-optivo send it)."""
    out = []
    for name, value in pairs:
        encoded = value.text if isinstance(value, Raw) else encode_value(value, charset)
        out.append(f"{encode_value(name, charset)}={encoded}")
    return "&".join(out)


class Raw:
    """A query value sent exactly as written (no percent-encoding)."""

    def __init__(self, text):
        self.text = text


class Part:
    """One multipart/form-data part."""

    def __init__(self, name, value, content_type=None, filename=None, extra_headers=()):
        self.name = name
        self.value = value if isinstance(value, bytes) else value.encode("utf-8")
        self.content_type = content_type
        self.filename = filename
        self.extra_headers = list(extra_headers)


def multipart_body(parts, boundary=None):
    """(Content-Type header value, body bytes) for `parts`."""
    boundary = boundary or "----e2e" + uuid.uuid4().hex
    out = b""
    for part in parts:
        disposition = f'form-data; name="{part.name}"'
        if part.filename is not None:
            disposition += f'; filename="{part.filename}"'
        head = [f"Content-Disposition: {disposition}"]
        if part.content_type:
            head.append(f"Content-Type: {part.content_type}")
        head += part.extra_headers
        out += f"--{boundary}\r\n".encode() + "\r\n".join(head).encode("latin-1")
        out += b"\r\n\r\n" + part.value + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


def java_parts(pairs, charset="UTF-8"):
    """Parts as geeCommerce's Apache HttpClient sends them: every text value a
    StringBody typed application/x-www-form-urlencoded with the charset."""
    codec = "latin-1" if charset.upper() == "ISO-8859-1" else "utf-8"
    return [Part(n, v if isinstance(v, bytes) else v.encode(codec),
                 content_type=f"application/x-www-form-urlencoded; charset={charset}",
                 extra_headers=["Content-Transfer-Encoding: 8bit"])
            for n, v in pairs]
