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

"""Helpers of the fakecloud tests: real clients, polling, exception chains."""

import time
from typing import Any
from typing import Callable

from keystoneauth1.identity import generic
from keystoneauth1 import session as ks_session
from keystoneclient.v3 import client as ks_client
from novaclient import client as nova_client

#: Seconds a poll waits at most.
DEADLINE = 10.0


def make_session(cloud: Any, **kwargs: Any) -> ks_session.Session:
    """Build a keystoneauth session with the cloud's admin credentials.

    :param cloud: a started FakeCloud.
    :param kwargs: extra Session arguments (timeout...).
    :returns: the session.
    """
    return ks_session.Session(auth=generic.Password(**cloud.credentials()),
                              **kwargs)


def nova(session: ks_session.Session, version: str = '2.1') -> Any:
    """Build a novaclient.

    :param session: a keystoneauth session.
    :param version: the microversion.
    :returns: the client.
    """
    return nova_client.Client(version, session=session)


def keystone(session: ks_session.Session) -> Any:
    """Build a python-keystoneclient v3 client.

    :param session: a keystoneauth session.
    :returns: the client.
    """
    return ks_client.Client(session=session)


def exception_chain(exc: BaseException) -> list:
    """List an exception and everything it was raised from or during.

    :param exc: the exception.
    :returns: the exceptions, outermost first.
    """
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def poll(predicate: Callable[[], Any], deadline: float = DEADLINE,
         interval: float = 0.02) -> Any:
    """Call a predicate until it returns a true value.

    :param predicate: the function to call.
    :param deadline: seconds before giving up.
    :param interval: seconds between calls.
    :returns: the true value.
    :raises AssertionError: on timeout.
    """
    end = time.monotonic() + deadline
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError('condition not met within %ss' % deadline)
        time.sleep(interval)
