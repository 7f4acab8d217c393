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

"""Where an ownership token goes when it is not a key of its own.

Nova's metadata and Keystone's extra attributes take the token as a key
(``heat_retry_token: <token>``). Other APIs have no free-form map on
every resource, and the token goes, as the tag ``heat_retry_token=<token>``
(:func:`~heat_retry_plugins.session.ownership.tag`), either into the
resource's list of tags (Octavia, Glance) or at the end of its free-text
description (Neutron, whose API refuses tags in most create bodies). The
user's own tags and description are kept: the tag is added, never put in
their place.
"""

import typing

from heat_retry_plugins.session import ownership

#: The longest description Neutron (and most OpenStack APIs) store.
MAX_DESCRIPTION = 255


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
