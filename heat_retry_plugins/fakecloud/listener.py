#
#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""One HTTP/1.1 keep-alive listener per service, that can go hard down.

:meth:`ServiceListener.stop` closes the listening socket *and* every open
client connection, so that clients see a real ``ECONNREFUSED`` on their next
connection attempt (pooled keep-alive connections are noticed as dropped and
replaced by new, refused, ones). :meth:`ServiceListener.start` binds the same
port again.
"""

import errno
import http.server
import logging
import socket
import socketserver
import threading
import time
from typing import Any

LOG = logging.getLogger(__name__)


class RequestHandler(http.server.BaseHTTPRequestHandler):
    """Read requests off a keep-alive connection and hand them on.

    Subclasses set :attr:`pipeline`, an object whose ``serve(handler)``
    answers one request with :meth:`read_body`, :meth:`send` and
    :meth:`drop`.
    """

    protocol_version = 'HTTP/1.1'
    server_version = 'fakecloud/1.0'
    sys_version = ''
    pipeline: Any = None

    def version_string(self) -> str:
        """Return the ``Server`` header value.

        :returns: the server version.
        """
        return self.server_version

    def _serve(self) -> None:
        try:
            self.pipeline.serve(self)
        except OSError as exc:
            LOG.debug('%s: connection lost: %s', self.server.listener.name,
                      exc)
            self.close_connection = True
        if not self.server.listener.is_up and not self.close_connection:
            # The service went down while this request was served.
            self.drop()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = _serve
    do_DELETE = do_OPTIONS = _serve

    def read_body(self) -> bytes:
        """Read the request body (Content-Length or chunked).

        :returns: the body bytes.
        """
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip()
                           or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def setup(self) -> None:
        """Prepare the connection (no Nagle delay on small writes)."""
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP,
                                       socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def send(self, response: Any, head_only: bool = False) -> None:
        """Write a response, status line, headers and body in one write.

        :param response: a :class:`~heat_retry_plugins.fakecloud.routing.
            Response`.
        :param head_only: send the headers only (a HEAD request).
        """
        payload = response.payload()
        headers = [('Server', self.version_string()),
                   ('Date', self.date_time_string())]
        if payload:
            headers.append(('Content-Type', response.content_type))
        headers.append(('Content-Length', str(len(payload))))
        headers.extend(response.headers.items())
        if self.close_connection:
            headers.append(('Connection', 'close'))
        head = '%s %d %s\r\n%s\r\n' % (
            self.protocol_version, response.status,
            self.responses.get(response.status, ('Error',))[0],
            ''.join('%s: %s\r\n' % item for item in headers))
        data = head.encode('latin-1', 'replace')
        if payload and not head_only:
            data += payload
        self.log_request(response.status)
        self.wfile.write(data)
        self.wfile.flush()

    def drop(self) -> None:
        """Close the connection without a response."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Send the access log to :mod:`logging` at debug level.

        :param format: the format string.
        :param args: its arguments.
        """
        LOG.debug('%s: ' + format, self.server.listener.name, *args)


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple, handler_class: type,
                 listener: 'ServiceListener') -> None:
        self.listener = listener
        super().__init__(address, handler_class)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host name (slow).
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: socket.socket,
                        client_address: tuple) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address), daemon=True,
            name='fakecloud-%s-conn' % self.listener.name)
        self.listener.track(request, thread)
        thread.start()

    def shutdown_request(self, request: socket.socket) -> None:
        self.listener.untrack(request)
        super().shutdown_request(request)

    def handle_error(self, request: socket.socket,
                     client_address: tuple) -> None:
        LOG.debug('%s: error serving %s', self.listener.name, client_address,
                  exc_info=True)


class ServiceListener:
    """A service's listening socket, its accept thread and connections.

    :param name: the service name (for logs and thread names).
    :param handler_class: a :class:`RequestHandler` subclass.
    :param host: the address to bind.
    :param port: the port to bind; 0 picks a free one.
    """

    def __init__(self, name: str, handler_class: type,
                 host: str = '127.0.0.1', port: int = 0) -> None:
        self.name = name
        self.handler_class = handler_class
        self.host = host
        self.port = port
        #: Set while the listener is stopping or down: wakes slow faults.
        self.interrupt = threading.Event()
        self._conns = {}
        self._conns_lock = threading.Lock()
        self._state_lock = threading.RLock()
        self._server = None
        self._thread = None

    @property
    def is_up(self) -> bool:
        """Whether the listening socket is open.

        :returns: True when up.
        """
        return self._server is not None

    def track(self, sock: socket.socket, thread: threading.Thread) -> None:
        """Remember an accepted connection and its thread.

        :param sock: the connection.
        :param thread: the thread serving it.
        """
        with self._conns_lock:
            self._conns[sock] = thread

    def untrack(self, sock: socket.socket) -> None:
        """Forget a closed connection.

        :param sock: the connection.
        """
        with self._conns_lock:
            self._conns.pop(sock, None)

    def connection_count(self) -> int:
        """Count the open client connections.

        :returns: the count.
        """
        with self._conns_lock:
            return len(self._conns)

    def start(self, bind_timeout: float = 5.0) -> None:
        """Bind (the same port again after a stop) and serve.

        :param bind_timeout: how long to retry while the port is busy.
        :raises OSError: if the port cannot be bound.
        """
        with self._state_lock:
            if self._server is not None:
                return
            deadline = time.monotonic() + bind_timeout
            while True:
                try:
                    server = _HTTPServer((self.host, self.port),
                                         self.handler_class, self)
                    break
                except OSError as exc:
                    if (exc.errno != errno.EADDRINUSE or not self.port
                            or time.monotonic() > deadline):
                        raise
                    time.sleep(0.02)
            self.port = server.server_address[1]
            self.interrupt.clear()
            self._server = server
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={'poll_interval': 0.02},
                daemon=True, name='fakecloud-%s-accept' % self.name)
            self._thread.start()
            LOG.debug('%s listening on %s:%d', self.name, self.host,
                      self.port)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every connection; join the threads.

        Safe to call from one of this listener's own request threads (that
        thread is not joined).

        :param timeout: the overall time to wait for threads.
        """
        with self._state_lock:
            server, thread = self._server, self._thread
            if server is None:
                return
            deadline = time.monotonic() + timeout
            self.interrupt.set()
            self._shutdown_connections()
            server.shutdown()
            server.server_close()
            thread.join(timeout)
            for conn_thread in self._shutdown_connections():
                conn_thread.join(max(0.0, deadline - time.monotonic()))
            self._server = self._thread = None
            LOG.debug('%s stopped (port %d closed)', self.name, self.port)

    def _shutdown_connections(self) -> list:
        # The calling request thread (a refusal, a control request) closes
        # its own connection once it has answered.
        current = threading.current_thread()
        with self._conns_lock:
            conns = dict(self._conns)
        for sock, thread in conns.items():
            if thread is current:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return [thread for thread in conns.values() if thread is not current]

    def wait_interruptible(self, seconds: float) -> bool:
        """Sleep, unless the listener stops meanwhile.

        :param seconds: how long to sleep.
        :returns: True if the sleep was interrupted.
        """
        return self.interrupt.wait(seconds)

    def __repr__(self) -> str:
        return '<ServiceListener %s %s:%d %s>' % (
            self.name, self.host, self.port, 'up' if self.is_up else 'down')
