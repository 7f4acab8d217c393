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

"""Error bodies that name an error type, as Designate and Heat send them.

Designate's ``type`` (``duplicate_zone``) and Heat's exception name
(``StackExists``) say more than the status. A route wrapped by
:meth:`TypedErrorService.typed` answers a :class:`TypedError` with its
type; any other error gets the type of its status.
"""

import functools
from typing import Callable

from heat_retry_plugins.fakecloud import routing

Request = routing.Request
Response = routing.Response


class TypedError(routing.HTTPError):
    """An error with the service's error type.

    :param status: the HTTP status.
    :param error_type: e.g. ``'duplicate_zone'``.
    :param message: the message.
    """

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(status, message)
        self.error_type = error_type


class TypedErrorService(routing.Service):
    """A service whose error bodies name an error type.

    Subclasses build the body in :meth:`typed_error` and name the type of
    each status in :attr:`error_types`.

    :param cloud: the owning FakeCloud.
    """

    #: The error type of each status, for errors that do not name one.
    error_types = {}
    #: The error type of the other statuses.
    default_error_type = ''

    def typed_error(self, status: int, error_type: str,
                    message: str) -> Response:
        """Build the error response of a status, type and message."""
        raise NotImplementedError

    def error(self, status: int, message: str) -> Response:
        """Build the error body, its type from the status.

        :param status: the HTTP status.
        :param message: the message.
        :returns: the response.
        """
        return self.typed_error(status, self.error_types.get(
            status, self.default_error_type), message)

    def typed(self, func: Callable) -> Callable:
        """Wrap a route: answer the TypedError it raises with its type.

        :param func: the route handler.
        :returns: the wrapped handler.
        """
        @functools.wraps(func)
        def serve(request: Request) -> Response:
            try:
                return func(request)
            except TypedError as exc:
                return self.typed_error(exc.status, exc.error_type,
                                        exc.message)
        return serve
