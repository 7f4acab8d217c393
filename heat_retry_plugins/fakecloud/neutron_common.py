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

"""What every Neutron resource has: collections, errors, common fields, tags.

A stored Neutron object is a dict of its API attributes (``tenant_id`` is
rendered from ``project_id``) plus internal keys that start with ``_`` and
are never rendered. Nameless resources (security group rules, floating IPs)
have no ``name`` key at all, so the counters never call them duplicates.
"""

import dataclasses
import uuid

from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state

#: Neutron's per-resource tag limit and tag length.
MAX_TAGS = 50
MAX_TAG_LENGTH = 255
MAX_STRING = 255

#: Attributes every resource accepts on create.
COMMON_CREATE = ('name', 'description', 'tags', 'project_id', 'tenant_id')
#: Attributes every resource renders.
COMMON_FIELDS = ('id', 'description', 'tags', 'project_id', 'tenant_id',
                 'created_at', 'updated_at', 'revision_number')


@dataclasses.dataclass(frozen=True)
class Collection:
    """One Neutron collection.

    The service serves it with the methods ``create_<kind>(request, ref,
    obj)`` (validate the resource's own attributes, store, return the
    object), ``update_<kind>(request, obj, ref)``, ``delete_<kind>(request,
    obj)`` and ``extend_<kind>(obj, body)`` (add the derived attributes).

    :param path: the URL segment, e.g. ``'security-groups'``.
    :param singular: the body key of one resource.
    :param plural: the body key of a list.
    :param kind: the state kind.
    :param resource: the resource name of the ``<Resource>NotFound`` type.
    :param missing: the 404 message, with ``%s`` for the id.
    :param fields: the attributes the resource renders, besides
        :data:`COMMON_FIELDS` (and ``name`` when ``named``).
    :param create: the attributes accepted on create, besides
        :data:`COMMON_CREATE`.
    :param updatable: the attributes accepted by ``PUT``.
    :param named: the resource has a ``name``.
    :param taggable: the resource has the ``/tags`` sub-resource.
    """

    path: str
    singular: str
    plural: str
    kind: str
    resource: str
    missing: str
    fields: tuple
    create: tuple
    updatable: tuple
    named: bool = True
    taggable: bool = True

    @property
    def attributes(self) -> frozenset:
        """Every attribute the resource renders (the valid filters).

        :returns: the attribute names.
        """
        names = set(COMMON_FIELDS) | set(self.fields)
        if self.named:
            names.add('name')
        return frozenset(names)


class NeutronError(routing.HTTPError):
    """An error answered in Neutron's ``NeutronError`` body.

    :param status: the HTTP status.
    :param kind: the ``type`` (``'NetworkNotFound'``...).
    :param message: the ``message``.
    """

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(status, message)
        self.kind = kind


def http_kind(status: int) -> str:
    """Name the webob exception Neutron reports for a plain status.

    :param status: the HTTP status.
    :returns: e.g. ``'HTTPBadRequest'``.
    """
    return 'HTTP' + routing.status_title(status).replace(' ', '')


def bad_request(message: str) -> NeutronError:
    """Build a 400 as Neutron's input validation answers.

    :param message: the message.
    :returns: the error, to raise.
    """
    return NeutronError(400, 'HTTPBadRequest', message)


def invalid(field: str, reason: str) -> NeutronError:
    """Build the 400 of an attribute that fails validation.

    :param field: the attribute.
    :param reason: why.
    :returns: the error, to raise.
    """
    return bad_request('Invalid input for %s. Reason: %s.' % (field, reason))


def conflict(kind: str, message: str) -> NeutronError:
    """Build a 409.

    :param kind: the error type.
    :param message: the message.
    :returns: the error, to raise.
    """
    return NeutronError(409, kind, message)


def now() -> str:
    """Return a Neutron timestamp.

    :returns: e.g. ``'2024-05-01T12:00:00Z'``.
    """
    return state.isotime(state.utcnow(), subsecond=False)


def check_string(field: str, value: object, allow_none: bool = False) -> None:
    """Validate a string attribute of at most 255 characters.

    :param field: the attribute.
    :param value: its value.
    :param allow_none: accept None.
    :raises NeutronError: 400.
    """
    if value is None and allow_none:
        return
    if not isinstance(value, str):
        raise invalid(field, "'%s' is not a valid string" % (value,))
    if len(value) > MAX_STRING:
        raise invalid(field, "'%s' exceeds maximum length of %d"
                      % (value, MAX_STRING))


def check_bool(field: str, value: object) -> bool:
    """Validate a boolean attribute (Neutron also takes 'true'/'false').

    :param field: the attribute.
    :param value: its value.
    :returns: the boolean.
    :raises NeutronError: 400.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise invalid(field, "'%s' is not a valid boolean value" % (value,))


def check_tags(tags: object) -> list:
    """Validate a list of tags.

    :param tags: the tags given.
    :returns: the distinct tags, sorted.
    :raises NeutronError: 400.
    """
    if not isinstance(tags, list):
        raise invalid('tags', "'%s' is not a list" % (tags,))
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > MAX_TAG_LENGTH:
            raise invalid('tags', "'%s' is not a valid tag" % (tag,))
    if len(set(tags)) > MAX_TAGS:
        raise bad_request('The number of tags exceed the per-resource '
                          'limit')
    return sorted(set(tags))


def new_object(collection: Collection, ref: dict, project_id: str) -> dict:
    """Build the common attributes of a new resource from its create body.

    :param collection: the collection.
    :param ref: the create body of one resource.
    :param project_id: the token's project, the default owner.
    :returns: the object, without its own attributes yet.
    :raises NeutronError: 400 for an invalid common attribute.
    """
    owner = ref.get('project_id') or ref.get('tenant_id') or project_id
    if (ref.get('project_id') and ref.get('tenant_id')
            and ref['project_id'] != ref['tenant_id']):
        raise bad_request("Invalid input for operation: 'project_id' and "
                          "'tenant_id' do not match.")
    check_string('project_id', owner)
    description = ref.get('description', '')
    check_string('description', description)
    stamp = now()
    obj = {'id': str(uuid.uuid4()), 'description': description,
           'tags': check_tags(ref.get('tags', [])), 'project_id': owner,
           'created_at': stamp, 'updated_at': stamp, 'revision_number': 1}
    if collection.named:
        name = ref.get('name', '')
        check_string('name', name)
        obj['name'] = name
    return obj


def find(store: state.CloudState, collection: Collection, obj_id: object,
         status: int = 404) -> dict:
    """Look a stored object up.

    :param store: the cloud's state.
    :param collection: its collection.
    :param obj_id: the id, from a URL or a body (a body's may be any JSON
        value: a list or a mapping is an id that names nothing).
    :param status: the status to answer when it is missing.
    :returns: the stored object.
    :raises NeutronError: ``<Resource>NotFound``, e.g. ``PortNotFound``.
    """
    obj = store.get(collection.kind, str(obj_id))
    if obj is None:
        raise NeutronError(status, '%sNotFound' % collection.resource,
                           collection.missing % obj_id)
    return obj


def update_flags(obj: dict, ref: dict, keys: tuple) -> None:
    """Set the boolean attributes an update body gives, validated.

    :param obj: the stored object.
    :param ref: the update body.
    :param keys: the boolean attributes the update may change.
    :raises NeutronError: 400 for a value that is not a boolean.
    """
    for key in keys:
        if key in ref:
            obj[key] = check_bool(key, ref[key])


def touch(obj: dict) -> None:
    """Record a change: bump ``revision_number`` and ``updated_at``.

    :param obj: the stored object.
    """
    obj['revision_number'] += 1
    obj['updated_at'] = now()
