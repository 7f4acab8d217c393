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

"""Where a resource carries its create's ownership token.

Keystone's extra attributes (:data:`KEY`) and Nova's and Cinder's metadata
(:data:`METADATA`) take the token as a key (``heat_retry_token:
<token>``). Other APIs have no free-form map on every resource, and the
token goes, as the tag ``heat_retry_token=<token>``
(:func:`~heat_retry_plugins.session.ownership.tag`), either into the
resource's list of tags (:data:`TAGS`: Octavia, Glance) or at the end of
its free-text description (:data:`DESCRIPTION`: Neutron, whose API refuses
tags in most create bodies). The user's own metadata, tags and description
are kept: the token is added, never put in their place.

A reconciler names its :class:`Place` (its ``token_place``); a place puts
the token on a create's member and tells whether a resource holds it.
"""

import dataclasses
import typing

from heat_retry_plugins.session import ownership

#: The longest description Neutron (and most OpenStack APIs) store.
MAX_DESCRIPTION = 255


def with_key(values: typing.Any, token: str) -> dict | None:
    """A map (a resource, or its metadata) with the token as a key.

    :param values: the map (None when the body has none).
    :param token: the call's token.
    :returns: the new map, or None when ``values`` is not a map (the
        create is then not marked).
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return None
    return dict(values, **{ownership.MARKER: token})


def has_key(member: dict, token: str) -> bool:
    """Does a resource carry the token as an attribute of its own?"""
    return member.get(ownership.MARKER) == token


def in_metadata(member: dict, token: str) -> bool:
    """Does a resource's ``metadata`` hold the token as a key?"""
    metadata = member.get('metadata')
    return isinstance(metadata, dict) and has_key(metadata, token)


def with_tag(tags: typing.Any, token: str) -> list | None:
    """The tags of a create body, with the token's tag added.

    :param tags: the body's ``tags`` (None when it has none).
    :param token: the call's token.
    :returns: the new list, or None when ``tags`` is not a list of
        strings (the create is then not marked).
    """
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str)
                                             for t in tags):
        return None
    return list(tags) + [ownership.tag(token)]


def has_tag(member: dict, token: str) -> bool:
    """Does a resource's ``tags`` list hold the token's tag?"""
    tags = member.get('tags')
    return isinstance(tags, list) and ownership.tag(token) in tags


def with_description(description: typing.Any, token: str,
                     limit: int = MAX_DESCRIPTION) -> str | None:
    """A description with the token's tag appended.

    :param description: the body's description (None or '' for none).
    :param token: the call's token.
    :param limit: the longest description the API stores.
    :returns: the description, or None when it is not a string or would
        grow past ``limit`` (the create is then not marked).
    """
    marker = ownership.tag(token)
    if description is None or description == '':
        return marker
    if not isinstance(description, str):
        return None
    marked = '%s %s' % (description, marker)
    return marked if len(marked) <= limit else None


def in_description(member: dict, token: str) -> bool:
    """Does a resource's description hold the token's tag, as a word?"""
    description = member.get('description')
    return isinstance(description, str) and (
        ownership.tag(token) in description.split())


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a resource carries the token.

    :param put: ``put(member, token)``: a create's member with the token
        added, or None when it cannot take it (the create is then not
        marked).
    :param holds: ``holds(member, token)``: does a resource carry it?
    """

    put: typing.Callable[[dict, str], dict | None]
    holds: typing.Callable[[dict, str], bool]


def _put(field, marked):
    """A ``put`` that sets ``field`` to ``marked(its value, token)``."""
    def put(member, token):
        value = marked(member.get(field), token)
        return None if value is None else dict(member, **{field: value})
    return put


#: The token as an attribute of its own (Keystone's extra attributes).
KEY = Place(put=with_key, holds=has_key)
#: The token as a key of the resource's ``metadata`` (Nova, Cinder).
METADATA = Place(put=_put('metadata', with_key), holds=in_metadata)
#: The token's tag in the resource's ``tags`` (Octavia, Glance).
TAGS = Place(put=_put('tags', with_tag), holds=has_tag)
#: The token's tag at the end of the ``description`` (Neutron).
DESCRIPTION = Place(put=_put('description', with_description),
                    holds=in_description)
