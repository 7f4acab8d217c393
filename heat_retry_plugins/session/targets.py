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

"""Which service a request is for, read from what keystoneauth is given.

A client library sends a path with an endpoint filter (``service_type``,
``interface``, ``region_name``): its service type, normalised with
os-service-types (``volumev3`` is ``block-storage``), names the service.
A full URL (osc-lib's Octavia client, version discovery, Swift) is matched
against the endpoints of the token's catalog; the token endpoint itself is
Keystone's. The service is named as Heat names its client plugin (``nova``,
``cinder``), which selects ``[clients_<name>]`` in heat.conf.
"""

import dataclasses
import functools
import re
import urllib.parse

import os_service_types

from heat_retry_plugins.retry import guards

#: The Heat client plugin of each (official) service type.
SERVICE_OF_TYPE = {
    'alarm': 'aodh',
    'application-container': 'zun',
    'baremetal': 'ironic',
    'block-storage': 'cinder',
    'cloudformation': 'heat',
    'container-infrastructure-management': 'magnum',
    'database': 'trove',
    'dns': 'designate',
    'identity': 'keystone',
    'image': 'glance',
    'key-manager': 'barbican',
    'load-balancer': 'octavia',
    'message': 'zaqar',
    'network': 'neutron',
    'compute': 'nova',
    'object-store': 'swift',
    'orchestration': 'heat',
    'reservation': 'blazar',
    'shared-file-system': 'manila',
    'workflow': 'mistral',
}


@dataclasses.dataclass(frozen=True)
class Target:
    """The service a request is for.

    :param service: Heat's client plugin name (``nova``).
    :param key: the :class:`~heat_retry_plugins.retry.guards.GuardKey` of
        the endpoint (service, cloud, region).
    :param path: the URL path of the request, without the query.
    :param project: the project of the session's token, when known.
    """

    service: str
    key: guards.GuardKey
    path: str
    project: str | None = None


@functools.lru_cache(maxsize=None)
def _service_types():
    return os_service_types.ServiceTypes()


@functools.lru_cache(maxsize=256)
def service_of_type(service_type: str) -> str | None:
    """Return the Heat client plugin name of a service type, or None."""
    official = _service_types().get_service_type(service_type)
    return SERVICE_OF_TYPE.get(official or service_type)


def target_of(session, url: str, kwargs: dict) -> Target | None:
    """Return the :class:`Target` of a request, or None if it is unknown.

    :param session: the keystoneauth Session sending it.
    :param url: the URL or path the request was given.
    :param kwargs: its keyword arguments (``endpoint_filter``, ``auth``).
    """
    auth = kwargs.get('auth') or session.auth
    auth_url = getattr(auth, 'auth_url', None) or ''
    region = ''
    service = None
    if '://' not in url:
        path = url.split('?', 1)[0] or '/'
        endpoint_filter = kwargs.get('endpoint_filter') or {}
        service_type = endpoint_filter.get('service_type')
        service = service_of_type(service_type) if service_type else None
        region = endpoint_filter.get('region_name') or ''
    else:
        path = urllib.parse.urlsplit(url).path or '/'
        access = _valid_access(auth)
        if access is not None:
            service, region = _from_catalog(access, url)
        if service is None and auth_url and _below(url, auth_url):
            # NOTE: the token endpoint and Keystone's version documents:
            # they are sent before there is a catalog to find them in.
            service = 'keystone'
    if service is None:
        return None
    # NOTE: never fetch a token here: this runs for the token request too.
    access = getattr(auth, 'auth_ref', None)
    project = getattr(access, 'project_id', None)
    return Target(service, _key(service, auth_url, region), path, project)


@functools.lru_cache(maxsize=1024)
def _key(service, cloud, region):
    # NOTE: Keystone is the cloud's, not a region's: its token requests are
    # sent before there is a catalog to say which region they are in.
    return guards.GuardKey(service, cloud,
                           '' if service == 'keystone' else region or '')


def _valid_access(auth):
    access = getattr(auth, 'auth_ref', None)
    if access is None:
        return None
    try:
        return None if access.will_expire_soon(0) else access
    except Exception:
        return None


def _below(url, auth_url):
    """Is ``url`` under the auth URL, its version suffix (``/v3``) aside?"""
    base = auth_url.rstrip('/')
    head, _, last = base.rpartition('/')
    if last[:1] == 'v' and last[1:2].isdigit() and '://' in head:
        base = head
    return url == base or url.startswith(base + '/')


_VERSION_SUFFIX = re.compile(r'/v\d+(\.\d+)?(/[^/]*)?$')


def _from_catalog(access, url):
    """Find a full URL's service and region among the catalog endpoints.

    The endpoint whose URL is the longest prefix of ``url`` wins; a request
    to an endpoint's unversioned root (version discovery: ``GET
    http://cinder:8776/`` for ``.../v3``) belongs to it too.
    """
    try:
        catalog = access.service_catalog.catalog
    except Exception:
        return None, ''
    best = (0, None, '')
    for entry in catalog or ():
        service = service_of_type(entry.get('type') or '')
        if service is None:
            continue
        region = None
        for endpoint in entry.get('endpoints') or ():
            region = endpoint.get('region_id') or endpoint.get('region') or ''
            base = (endpoint.get('url') or '').rstrip('/')
            for length, prefix in ((len(base) + 1, base),
                                   (1, _VERSION_SUFFIX.sub('', base))):
                if prefix and _under(url, prefix) and length > best[0]:
                    best = (length, service, region)
    return best[1], best[2]


def _under(url, prefix):
    return url == prefix or url.startswith(prefix + '/')
