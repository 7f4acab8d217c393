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

"""Ownership tokens: how a create proves, later, that it is ours.

OpenStack has no idempotency key. The request layer gives each create it
may have to reconcile a token of its own (random, per call, the same on
every attempt of the call) and the reconciler of the create's route puts
it on the resource itself, where a lookup returns it: a Nova server's or a
Cinder volume's metadata, a Keystone project's or user's extra attribute, a
Octavia or Glance tag, a mark appended to a Neutron resource's
description, the comment of a keypair's public key. Only what
carries the token is ever adopted or deleted by a retry.

The token is visible to users (``openstack server show`` lists the
metadata key); ``retry_ownership_marker = false`` in a service's heat.conf
group turns it off, and with it the retrying of ambiguous creates there.
"""

import dataclasses
import json
import secrets
import typing

#: The key (metadata, extra attribute) or tag prefix of the token.
MARKER = 'heat_retry_token'


def new_token() -> str:
    """Return a new ownership token: 32 random hex digits."""
    return secrets.token_hex(16)


def tag(token: str) -> str:
    """The token as a tag: ``heat_retry_token=<token>``."""
    return '%s=%s' % (MARKER, token)


@dataclasses.dataclass(frozen=True)
class CreateRequest:
    """A create as the request layer sends it, once marked.

    :param method: the HTTP method (POST, or PUT for a few creates).
    :param url: the URL or path the client library gave, without query.
    :param body: the JSON body, with the token on it.
    :param token: the call's ownership token.
    :param headers: the request's headers that lookups must repeat
        (microversions).
    :param secrets: what the create's response carries that a lookup
        cannot return, made by the reconciler itself (a keypair's private
        key); never logged.
    """

    method: str
    url: str
    # NOTE: never in a repr: bodies carry passwords and keys.
    body: dict = dataclasses.field(repr=False)
    token: str = dataclasses.field(repr=False)
    headers: typing.Mapping[str, str] = dataclasses.field(
        default_factory=dict)
    secrets: typing.Mapping[str, str] = dataclasses.field(
        default_factory=dict, repr=False)

    def member(self, key: str) -> dict:
        """The body's member dict under ``key`` (``server``), or {}."""
        value = self.body.get(key)
        return value if isinstance(value, dict) else {}


def json_body(kwargs: dict) -> dict | None:
    """Return the JSON object a request sends, or None.

    Client libraries pass it as ``json=`` (keystoneauth encodes it) or
    already encoded as ``data=`` (neutronclient); anything else (a stream,
    form data) is not a body the layer can mark.
    """
    if isinstance(kwargs.get('json'), dict):
        return kwargs['json']
    data = kwargs.get('data')
    if isinstance(data, (bytes, str)) and data:
        try:
            body = json.loads(data)
        except (TypeError, ValueError):
            return None
        return body if isinstance(body, dict) else None
    return None


def with_body(kwargs: dict, body: dict) -> dict:
    """Return request kwargs that send ``body`` in the form they had."""
    changed = dict(kwargs)
    if 'json' in changed and isinstance(changed['json'], dict):
        changed['json'] = body
    else:
        changed['data'] = json.dumps(body)
    return changed
