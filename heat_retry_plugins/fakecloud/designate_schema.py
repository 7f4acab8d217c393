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

"""Designate v2 bodies: what a zone or recordset create or update may hold.

Designate checks its bodies against JSON schemas (no additional
properties); a failure is a 400 ``invalid_object``. The checks here return
the body's fields or raise a :class:`DesignateError`, which carries
Designate's error ``type``.
"""

import re
from typing import Any

from heat_retry_plugins.fakecloud import typed_errors

RECORD_TYPES = ('A', 'AAAA', 'CNAME', 'MX', 'SRV', 'TXT', 'SPF', 'NS',
                'PTR', 'SSHFP', 'SOA', 'NAPTR', 'CAA', 'CERT')
MAX_TTL = 2147483647

_ZONE_NAME = re.compile(r'^(?!.{255,})((?!-)[A-Za-z0-9_-]{1,63}(?<!-)\.)+$')
_RECORD_NAME = re.compile(r'^(\*\.)?(?!.{255,})'
                          r'((?!-)[A-Za-z0-9_-]{1,63}(?<!-)\.)+$')
_ZONE_FIELDS = ('name', 'email', 'ttl', 'description', 'type', 'masters',
                'attributes')
_RECORDSET_FIELDS = ('name', 'type', 'records', 'ttl', 'description')
#: What an update of each kind may change.
UPDATABLE = {'zone': ('email', 'ttl', 'description', 'masters'),
             'recordset': ('records', 'ttl', 'description')}


class DesignateError(typed_errors.TypedError):
    """An error with Designate's ``type`` (``duplicate_zone``).

    :param status: the HTTP status.
    :param error_type: the ``type``.
    :param message: the message.
    """


def invalid(message: str) -> DesignateError:
    """Make the 400 of a body that does not match the schema.

    :param message: what is wrong.
    :returns: the error, to raise.
    """
    return DesignateError(400, 'invalid_object',
                          'Provided object does not match schema: %s'
                          % message)


def _fields(body: Any, allowed: tuple) -> dict:
    if not isinstance(body, dict):
        raise invalid('the body is not an object')
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise invalid('additional properties are not allowed (%s)'
                      % ', '.join(map(repr, unknown)))
    ttl = body.get('ttl')
    if ttl is not None and (not isinstance(ttl, int) or isinstance(ttl, bool)
                            or not 1 <= ttl <= MAX_TTL):
        raise invalid("'ttl': %r is not a valid TTL" % (ttl,))
    records = body.get('records')
    if records is not None and not (isinstance(records, list) and all(
            isinstance(r, str) and r for r in records)):
        raise invalid("'records': %r is not a list of records" % (records,))
    return dict(body)


def zone_create(body: Any) -> dict:
    """Check the body of ``POST /v2/zones``.

    :param body: the parsed body.
    :returns: its fields, ``type`` filled in (``PRIMARY``).
    :raises DesignateError: 400 ``invalid_object``.
    """
    values = _fields(body, _ZONE_FIELDS)
    name = values.get('name')
    values.setdefault('type', 'PRIMARY')
    if not isinstance(name, str) or not _ZONE_NAME.match(name):
        raise invalid("'name': %r is not a zonename" % (name,))
    if values['type'] not in ('PRIMARY', 'SECONDARY'):
        raise invalid("'type': %r is not one of PRIMARY, SECONDARY"
                      % (values['type'],))
    if values['type'] == 'PRIMARY' and not values.get('email'):
        raise invalid("'email' is required for a PRIMARY zone")
    if values['type'] == 'SECONDARY' and not values.get('masters'):
        raise invalid("'masters' is required for a SECONDARY zone")
    return values


def recordset_create(body: Any) -> dict:
    """Check the body of ``POST /v2/zones/{zone}/recordsets``.

    :param body: the parsed body.
    :returns: its fields.
    :raises DesignateError: 400 ``invalid_object``.
    """
    values = _fields(body, _RECORDSET_FIELDS)
    name = values.get('name')
    if values.get('type') not in RECORD_TYPES:
        raise invalid("'type': %r is not a record type"
                      % (values.get('type'),))
    if not values.get('records'):
        raise invalid("'records' is a required property")
    if not isinstance(name, str) or not _RECORD_NAME.match(name):
        raise invalid("'name': %r is not a hostname" % (name,))
    return values


def check_update(kind: str, body: Any) -> dict:
    """Check the body of an update (a zone's PATCH, a recordset's PUT).

    :param kind: ``'zone'`` or ``'recordset'``.
    :param body: the parsed body.
    :returns: the fields to change.
    :raises DesignateError: 400 ``invalid_object``.
    """
    return _fields(body, UPDATABLE[kind])
