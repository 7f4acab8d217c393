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

"""A service listener: its stop closes the open keep-alive connections."""

import socket


def _closed_within(connection, seconds):
    """Read what comes; tell whether the peer closed within ``seconds``."""
    connection.settimeout(seconds)
    try:
        while connection.recv(65536):
            pass
    except socket.timeout:
        return False
    return True


def test_stop_closes_open_keepalive_connections(cloud):
    connection = socket.create_connection(('127.0.0.1', cloud.port('image')))
    try:
        connection.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
        assert connection.recv(12) == b'HTTP/1.1 300'
        # HTTP/1.1 keeps it open after the response ...
        assert not _closed_within(connection, 0.3)
        cloud.stop()
        # ... until the listener stops.
        assert _closed_within(connection, 2)
    finally:
        connection.close()
