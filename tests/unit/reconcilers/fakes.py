"""What the reconciler unit tests share: creates, found members, lookups.

No HTTP: a :class:`RecordingLookup` answers each GET with a canned body
and records the URLs, so a test sees what a reconciler would look up.
"""

import urllib.parse

import requests

from heat_retry_plugins.reconcilers import base
from heat_retry_plugins.session import classify
from heat_retry_plugins.session import ownership

TOKEN = '0123456789abcdef0123456789abcdef'
OTHER_TOKEN = 'fedcba9876543210fedcba9876543210'
TAG = ownership.tag(TOKEN)


def create(url, body, token=TOKEN):
    """A create as the request layer hands it to ``mark()``."""
    return ownership.CreateRequest('POST', url, body, token)


def found(member):
    """A member as a lookup found it."""
    return base.Found(None, member)


class RecordingLookup:
    """Answers GETs with ``bodies`` (status 404 for None), in order."""

    def __init__(self, *bodies):
        self.bodies = list(bodies)
        self.urls = []

    def get_json(self, url):
        self.urls.append(url)
        body = self.bodies.pop(0)
        response = requests.Response()
        response.status_code = 404 if body is None else 200
        if body is None:
            raise classify.ErrorResponse(response)
        return response, body

    def query(self, index=0):
        """The query of the ``index``-th URL, as a dict of single values."""
        parts = urllib.parse.urlsplit(self.urls[index])
        return parts.path, dict(urllib.parse.parse_qsl(parts.query))


def reconciler(cls, marked, *bodies):
    """A reconciler of a marked create with a recording lookup."""
    lookup = RecordingLookup(*bodies)
    return cls(lookup, marked), lookup
