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

"""Neutron list queries: filters, tag filters, sorting, fields, pages.

A filter per attribute (repeat it for "any of"; ``fixed_ips`` takes
``ip_address=``, ``subnet_id=`` or ``ip_address_substr=``), ``tags``,
``tags-any``, ``not-tags``, ``not-tags-any`` (comma-separated or repeated),
``sort_key``/``sort_dir``, ``fields`` and ``limit``/``marker`` with a
``<collection>_links`` next link. An unknown filter is a 400, as with
Neutron's ``filter-validation``.
"""

from heat_retry_plugins.fakecloud import neutron_common
from heat_retry_plugins.fakecloud import routing

Request = routing.Request

#: Query parameters that are not attribute filters.
LIST_PARAMS = ('fields', 'limit', 'marker', 'page_reverse', 'sort_key',
               'sort_dir', 'tags', 'tags-any', 'not-tags', 'not-tags-any')


def filter_bodies(collection: neutron_common.Collection, bodies: list,
                  request: Request) -> list:
    """Keep the rendered resources a list request's filters select.

    :param collection: the collection.
    :param bodies: the rendered resources.
    :param request: the request.
    :returns: the selected resources, in order.
    :raises NeutronError: 400 for a filter on an unknown attribute.
    """
    for key, values in request.query.items():
        if key in LIST_PARAMS:
            continue
        if key not in collection.attributes:
            raise neutron_common.bad_request(
                'Invalid input for operation: %s is invalid attribute for '
                'filtering.' % key)
        bodies = [b for b in bodies if _matches(b, key, values)]
    return _filter_tags(bodies, request)


def select_fields(request: Request, body: dict) -> dict:
    """Keep the ``fields`` a request asks for (all when it names none).

    :param request: the request.
    :param body: a rendered resource.
    :returns: the body, or a copy with only those fields.
    """
    wanted = _values(request, 'fields')
    if not wanted:
        return body
    return {k: v for k, v in body.items() if k in wanted}


def paginate(collection: neutron_common.Collection, bodies: list,
             request: Request, base_url: str) -> tuple:
    """Apply ``marker`` and ``limit``.

    :param collection: the collection.
    :param bodies: the selected, sorted resources.
    :param request: the request.
    :param base_url: ``http://HOST:PORT`` of the service.
    :returns: ``(page, links or None)``.
    :raises NeutronError: 404 for an unknown marker, 400 for a bad limit.
    """
    marker = request.arg('marker')
    if marker is not None:
        ids = [b['id'] for b in bodies]
        if marker not in ids:
            raise neutron_common.NeutronError(
                404, '%sNotFound' % collection.resource,
                collection.missing % marker)
        bodies = bodies[ids.index(marker) + 1:]
    try:
        limit = int(request.arg('limit') or 0)
    except ValueError:
        limit = -1
    if limit < 0:
        raise neutron_common.bad_request(
            "Limit must be an integer 0 or greater and not '%s'"
            % request.arg('limit'))
    if not limit or len(bodies) <= limit:
        return bodies, None
    page = bodies[:limit]
    href = '%s/v2.0/%s?%s' % (base_url, collection.path, routing.next_query(
        request, limit=limit, marker=page[-1]['id']))
    return page, [{'rel': 'next', 'href': href}]


def _values(request: Request, key: str) -> list:
    return [v for value in request.query.get(key, [])
            for v in value.split(',') if v]


def _matches(body: dict, key: str, wanted: list) -> bool:
    value = body.get(key)
    if key == 'fixed_ips':
        return any(_fixed_ip_matches(value, query) for query in wanted)
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    if isinstance(value, bool):
        return str(value).lower() in [w.lower() for w in wanted]
    if value is None:
        return '' in wanted
    return str(value) in wanted


def _fixed_ip_matches(fixed_ips: list, query: str) -> bool:
    field, _, wanted = query.partition('=')
    if field == 'ip_address_substr':
        return any(wanted in ip['ip_address'] for ip in fixed_ips)
    return any(ip.get(field) == wanted for ip in fixed_ips)


def _filter_tags(bodies: list, request: Request) -> list:
    tests = (('tags', lambda have, want: want <= have),
             ('tags-any', lambda have, want: bool(want & have)),
             ('not-tags', lambda have, want: not want <= have),
             ('not-tags-any', lambda have, want: not want & have))
    for key, test in tests:
        want = set(_values(request, key))
        if want:
            bodies = [b for b in bodies if test(set(b.get('tags', [])),
                                                want)]
    return bodies


def sort_bodies(collection: neutron_common.Collection, bodies: list,
                request: Request) -> list:
    """Sort by ``sort_key`` (repeated) and ``sort_dir`` (asc by default).

    :param collection: the collection.
    :param bodies: the resources.
    :param request: the request.
    :returns: the sorted resources.
    :raises NeutronError: 400 for an unknown key or direction.
    """
    keys = request.query.get('sort_key', [])
    dirs = request.query.get('sort_dir', [])
    for index in reversed(range(len(keys))):
        key = keys[index]
        if key not in collection.attributes:
            raise neutron_common.bad_request('%s is an invalid attribute for '
                                             'sort_keys' % key)
        direction = dirs[index] if index < len(dirs) else 'asc'
        if direction not in ('asc', 'desc'):
            raise neutron_common.bad_request(
                "%s is an invalid value for sort_dirs, valid values are: "
                "['asc', 'desc']" % direction)
        bodies = sorted(bodies, key=lambda b, k=key: (
            b.get(k) is not None, str(b.get(k))),
            reverse=direction == 'desc')
    return bodies
