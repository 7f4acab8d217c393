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

"""HOT templates, as dicts, for the stacks the runner creates.

Two sources:

* the builders (:func:`keypairs`, :func:`servers`, :func:`keystone`),
  which number their resources from 0 (``keypair0``, ``keypair1``...) and
  give the physical objects a ``prefix``-based name, so that two stacks in
  one cloud do not collide;
* template files, YAML or JSON, read with Heat's own parser
  (:func:`load`), among them the shipped set of the demo (:data:`SHIPPED`,
  package data in ``heat_retry_plugins/heatrun/hot/``; :func:`shipped`).

A template file may have *member* resources: those whose names hold
:data:`INDEX` (``server%index%``). :func:`expand` repeats them ``count``
times, replacing ``%index%`` by 0, 1, 2... in their names and in every
string of their definitions (names, ``get_resource`` of another member),
as ``OS::Heat::ResourceGroup`` numbers its members. The group itself is
not used because a member of several resources (a port, a server on it, a
volume attached to it) is a nested template, which heatrun does not pass
to the engine as a file: the expansion keeps every resource in the one
stack, as the builders do. A template without members is run as it is.

Parameter values are checked with Heat's own parameter classes
(:func:`with_parameters`) and then become the parameters' defaults in the
template handed to Heat, since :func:`~.engine.run_stack` sends no
environment: Heat validates a default as it validates a value.
"""

import copy
import os
from typing import Any
from typing import Dict
from typing import List
from typing import Mapping
from typing import Optional

from heat.common import exception as heat_exception
from heat.common import template_format
from heat.engine import environment
from heat.engine import template as template_mod

from heat_retry_plugins.fakecloud import keys

#: The HOT version of the templates (Wallaby; Heat 27 accepts it).
HOT_VERSION = '2021-04-16'

Template = Dict[str, Any]

#: The templates shipped with the package, by kind (``hot/<kind>.yaml``).
SHIPPED = ('keypairs', 'servers', 'keystone', 'large')
#: The directory of the shipped templates.
SHIPPED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'hot')
#: In a resource name, marks a member; :func:`expand` numbers it.
INDEX = '%index%'
#: Heat's parameter constraints that need the cloud (a flavor or an image
#: that exists): :func:`with_parameters` leaves them to the engine.
_CLOUD_CONSTRAINT = 'custom_constraint'


class TemplateError(ValueError):
    """A template file, or a parameter value, that cannot be run.

    Its message is one line that says what is wrong and where.
    """


def _hot(description: str, resources: Dict[str, Any]) -> Template:
    return {'heat_template_version': HOT_VERSION,
            'description': description,
            'resources': resources}


def _check_count(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError('the resource count must be an int >= 0, not %r'
                         % (n,))


def keypairs(n: int, public_key: Optional[str] = None,
             prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Nova::KeyPair.

    From compute microversion 2.92 on (Heat asks for the cloud's maximum,
    2.96 on the fake cloud), Nova no longer generates keys: every keypair
    imports ``public_key``.

    :param n: the number of keypairs.
    :param public_key: an OpenSSH public key; None generates one RSA key
        (see :func:`heat_retry_plugins.fakecloud.keys.generate`).
    :param prefix: the keypair names are ``<prefix>-kp-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    if public_key is None:
        public_key = keys.generate()[1]
    return _hot('%d Nova keypairs' % n, {
        'keypair%d' % i: {
            'type': 'OS::Nova::KeyPair',
            'properties': {'name': '%s-kp-%d' % (prefix, i),
                           'public_key': public_key}}
        for i in range(n)})


def servers(n: int, flavor: str = 'm1.tiny', image: str = 'cirros',
            prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Nova::Server without any network.

    ``networks: [{allocate_network: none}]`` is how a server asks for no
    network from microversion 2.37 on (Heat never calls Neutron then), and
    ``user_data_format: RAW`` without user data keeps Heat from building
    its default HEAT_CFNTOOLS user data, which needs the cloudformation
    (heat-api-cfn) endpoint in the catalog.

    :param n: the number of servers.
    :param flavor: the flavor name.
    :param image: the image name.
    :param prefix: the server names are ``<prefix>-server-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    return _hot('%d Nova servers' % n, {
        'server%d' % i: {
            'type': 'OS::Nova::Server',
            'properties': {'name': '%s-server-%d' % (prefix, i),
                           'flavor': flavor,
                           'image': image,
                           'networks': [{'allocate_network': 'none'}],
                           'user_data_format': 'RAW'}}
        for i in range(n)})


def keystone(n: int, domain: str = 'default',
             prefix: str = 'heatrun') -> Template:
    """Build a template of ``n`` OS::Keystone::Project and User pairs.

    User ``i`` has project ``i`` as its default project, so it is created
    after it and deleted before it.

    :param n: the number of pairs.
    :param domain: the domain of the projects and users.
    :param prefix: the names are ``<prefix>-project-<i>`` and
        ``<prefix>-user-<i>``.
    :returns: the template.
    :raises ValueError: if ``n`` is not an int >= 0.
    """
    _check_count(n)
    resources: Dict[str, Any] = {}
    for i in range(n):
        resources['project%d' % i] = {
            'type': 'OS::Keystone::Project',
            'properties': {'name': '%s-project-%d' % (prefix, i),
                           'domain': domain}}
        resources['user%d' % i] = {
            'type': 'OS::Keystone::User',
            'properties': {'name': '%s-user-%d' % (prefix, i),
                           'domain': domain,
                           'default_project': {
                               'get_resource': 'project%d' % i}}}
    return _hot('%d Keystone project and user pairs' % n, resources)


def shipped_path(kind: str) -> str:
    """Return the path of a shipped template.

    :param kind: one of :data:`SHIPPED`.
    :returns: the path of ``hot/<kind>.yaml`` in the installed package.
    :raises ValueError: for an unknown kind.
    """
    if kind not in SHIPPED:
        raise ValueError('unknown template kind %r; choose from %s'
                         % (kind, ', '.join(SHIPPED)))
    return os.path.join(SHIPPED_DIR, kind + '.yaml')


def _one_line(text: str) -> str:
    return ' '.join(str(text).split())


def _parse_error(exc: ValueError) -> str:
    """Heat's parse error in one line, with the YAML error's position."""
    cause = exc.__context__
    mark = getattr(cause, 'problem_mark', None)
    if mark is None:
        return _one_line(exc)
    problem = getattr(cause, 'problem', None) or 'invalid'
    return 'not valid YAML or JSON: %s (line %d, column %d)' % (
        _one_line(problem), mark.line + 1, mark.column + 1)


def read(path: str) -> Template:
    """Read a HOT template file, YAML or JSON, as Heat parses it.

    :param path: the file.
    :returns: the template.
    :raises TemplateError: if the file cannot be read, is not UTF-8, is
        not YAML or JSON, is not a mapping, has no template version, is
        larger than Heat's ``max_template_size``, or its ``resources``
        (``parameters``) are not a mapping of mappings.
    """
    try:
        with open(path, 'rb') as source:
            data = source.read()
    except OSError as exc:
        raise TemplateError('cannot read the template %s: %s'
                            % (path, exc.strerror or exc)) from None
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as exc:
        raise TemplateError('the template %s is not UTF-8 text (byte %d)'
                            % (path, exc.start)) from None
    try:
        template = template_format.parse(text)
    except ValueError as exc:
        raise TemplateError('the template %s: %s'
                            % (path, _parse_error(exc))) from None
    except heat_exception.HeatException as exc:
        raise TemplateError('the template %s: %s'
                            % (path, _one_line(exc))) from None
    for section in ('resources', 'parameters'):
        value = template.get(section) or {}
        if not isinstance(value, dict) or not all(
                isinstance(item, dict) for item in value.values()):
            raise TemplateError('the template %s: its %s must be a mapping '
                                'of mappings' % (path, section))
    return template


def members(template: Mapping[str, Any]) -> List[str]:
    """Name the member resources of a template.

    :param template: a template.
    :returns: the names that hold :data:`INDEX`, in the template's order.
    """
    return [name for name in template.get('resources') or {}
            if INDEX in name]


def _numbered(value: Any, index: str) -> Any:
    if isinstance(value, str):
        return value.replace(INDEX, index)
    if isinstance(value, dict):
        return {_numbered(key, index): _numbered(item, index)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_numbered(item, index) for item in value]
    return copy.deepcopy(value)


def _mentions_index(value: Any) -> bool:
    if isinstance(value, str):
        return INDEX in value
    if isinstance(value, dict):
        return any(_mentions_index(key) or _mentions_index(item)
                   for key, item in value.items())
    if isinstance(value, list):
        return any(_mentions_index(item) for item in value)
    return False


def expand(template: Mapping[str, Any], count: int) -> Template:
    """Repeat a template's member resources ``count`` times.

    Member ``i`` is each member resource with :data:`INDEX` replaced by
    ``i`` in its name and in every string of its definition; the other
    resources, the parameters and the outputs are kept as they are.

    :param template: a template (see :func:`members`).
    :param count: how many members.
    :returns: a new template, without any :data:`INDEX`.
    :raises ValueError: if ``count`` is not an int >= 0.
    :raises TemplateError: if a resource that is not a member, or an
        output, mentions :data:`INDEX` (only a member can refer to
        another member).
    """
    _check_count(count)
    names = members(template)
    resources = template.get('resources') or {}
    for name, definition in resources.items():
        if name not in names and _mentions_index(definition):
            raise TemplateError('resource %s mentions %s but is not a member '
                                '(its name does not hold it)' % (name, INDEX))
    if _mentions_index(template.get('outputs') or {}):
        raise TemplateError('the outputs mention %s: only member resources '
                            'may' % INDEX)
    expanded = {name: copy.deepcopy(definition)
                for name, definition in resources.items()
                if name not in names}
    for i in range(count):
        for name in names:
            expanded[_numbered(name, str(i))] = _numbered(resources[name],
                                                          str(i))
    result = copy.deepcopy(dict(template))
    result['resources'] = expanded
    return result


def _without_cloud_constraints(template: Mapping[str, Any]) -> Template:
    checked = copy.deepcopy(dict(template))
    for schema in (checked.get('parameters') or {}).values():
        if isinstance(schema.get('constraints'), list):
            schema['constraints'] = [
                constraint for constraint in schema['constraints']
                if not (isinstance(constraint, dict) and
                        _CLOUD_CONSTRAINT in constraint)]
    return checked


def with_parameters(template: Mapping[str, Any],
                    values: Mapping[str, str]) -> Template:
    """Check parameter values as Heat does and make them the defaults.

    Heat's own classes check that every value names a parameter of the
    template, that every parameter without a default has a value, and
    each value's type and constraints, except the custom constraints
    (``nova.flavor``...), which need the cloud and which the engine checks
    when it validates the stack.

    :param template: a template.
    :param values: parameter name -> value, as text (Heat converts it).
    :returns: a new template whose parameters default to ``values``.
    :raises TemplateError: with Heat's message, if Heat refuses the
        template's parameters or a value.
    """
    checked = _without_cloud_constraints(template)
    try:
        tmpl = template_mod.Template(
            checked, env=environment.Environment({}, user_env=False))
        tmpl.validate()
        tmpl.parameters(None, dict(values)).validate(validate_value=True)
    except (heat_exception.HeatException, ValueError, TypeError) as exc:
        raise TemplateError(_one_line(exc)) from None
    result = copy.deepcopy(dict(template))
    for name, value in values.items():
        result['parameters'][name]['default'] = value
    return result


def instantiate(template: Mapping[str, Any], count: Optional[int] = None,
                parameters: Optional[Mapping[str, str]] = None,
                where: str = 'the template') -> Template:
    """Expand a template's members and set its parameters.

    :param template: a template, as :func:`read` returns it.
    :param count: the number of members (see :func:`expand`); None for a
        template without members.
    :param parameters: parameter name -> value (see
        :func:`with_parameters`).
    :param where: what the template is, for the messages (its path).
    :returns: the template to run.
    :raises TemplateError: as :func:`expand` and :func:`with_parameters`,
        each message prefixed with ``where``, and if ``count`` is None for
        a template with members.
    :raises ValueError: if ``count`` is not an int >= 0.
    """
    try:
        if members(template):
            if count is None:
                raise TemplateError('it has member resources (%s): give '
                                    'their count' % ', '.join(
                                        members(template)))
            template = expand(template, count)
        return with_parameters(template, parameters or {})
    except TemplateError as exc:
        raise TemplateError('%s: %s' % (where, exc)) from None


def load(path: str, count: Optional[int] = None,
         parameters: Optional[Mapping[str, str]] = None) -> Template:
    """Read a template file, expand its members and set its parameters.

    :param path: a YAML or JSON HOT template.
    :param count: as for :func:`instantiate`.
    :param parameters: as for :func:`instantiate`.
    :returns: the template to run.
    :raises TemplateError: as :func:`read` and :func:`instantiate`.
    :raises ValueError: if ``count`` is not an int >= 0.
    """
    return instantiate(read(path), count, parameters,
                       'the template %s' % path)


def shipped(kind: str, count: int,
            parameters: Optional[Mapping[str, str]] = None) -> Template:
    """Load a shipped template with ``count`` members.

    :param kind: one of :data:`SHIPPED`.
    :param count: the number of members.
    :param parameters: parameter name -> value.
    :returns: the template to run.
    :raises ValueError: for an unknown kind or a bad count.
    :raises TemplateError: as :func:`load`.
    """
    return load(shipped_path(kind), count, parameters)
