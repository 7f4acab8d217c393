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

"""Heat v1, just enough for python-heatclient: stacks and their lookup.

Stacks are created, listed, shown, looked up and deleted. Not a real
Heat: nothing in a template is created, only checked to be a
mapping with a template version. The catalog URL is the project's,
``http://127.0.0.1:PORT/v1/<project_id>``; another project in the path is a
403. A new stack is ``CREATE_IN_PROGRESS`` for :attr:`OrchestrationService.
complete_seconds` (0 by default: at once ``CREATE_COMPLETE``), a deleted
one ``DELETE_IN_PROGRESS`` as long, then gone. Stack names are unique in a
project (409 ``StackExists``). ``/stacks/{name or id}`` redirects (302) to
``/stacks/{name}/{id}``, as Heat's lookup does, for every method. Errors
are Heat's JSON: ``{"explanation", "code", "error": {"message", "type",
"traceback"}, "title"}``.
"""

import re
import uuid

import yaml

from heat_retry_plugins.fakecloud import paging
from heat_retry_plugins.fakecloud import pending
from heat_retry_plugins.fakecloud import routing
from heat_retry_plugins.fakecloud import state as state_mod
from heat_retry_plugins.fakecloud import typed_errors

Request = routing.Request
Response = routing.Response

_STACK_NAME = re.compile(r'^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$')
_VERSION_KEYS = ('heat_template_version', 'HeatTemplateFormatVersion',
                 'AWSTemplateFormatVersion')
_CREATE_FIELDS = ('stack_name', 'template', 'template_url', 'parameters',
                  'files', 'environment', 'environment_files',
                  'disable_rollback', 'timeout_mins', 'tags')
#: Heat's filters of a stack list, and the stored field each one reads.
_FILTERS = {'id': 'id', 'name': 'name', 'status': 'status',
            'action': 'action', 'tenant': 'project_id',
            'username': 'stack_owner'}
_EXPLANATIONS = {
    400: 'The server could not comply with the request since it is either '
         'malformed or otherwise incorrect.',
    403: 'Access was denied to this resource.',
    404: 'The resource could not be found.',
    409: 'There was a conflict when trying to complete your request.'}
_TYPES = {400: 'HTTPBadRequest', 403: 'Forbidden', 404: 'HTTPNotFound',
          405: 'HTTPMethodNotAllowed', 409: 'HTTPConflict'}


class HeatError(typed_errors.TypedError):
    """An error with Heat's exception name (``StackExists``) as its type.

    :param status: the HTTP status.
    :param error_type: the exception name.
    :param message: the message.
    """


def _not_found(identity: str) -> HeatError:
    return HeatError(404, 'EntityNotFound',
                     'The Stack (%s) could not be found.' % identity)


def _invalid(message: str) -> HeatError:
    return HeatError(400, 'StackValidationFailed', message)


def parse_template(body: dict) -> dict:
    """Read the template of a create body.

    :param body: the request body.
    :returns: the template mapping.
    :raises HeatError: 400 when there is none, it is not YAML/JSON, or it
        has no template version.
    """
    template = body.get('template')
    if template is None:
        message = ('Could not retrieve template: %s is not fetched by '
                   'fakecloud' % body['template_url']
                   if body.get('template_url') else
                   'Need more arguments: template or template_url')
        raise HeatError(400, 'HTTPBadRequest', message)
    if isinstance(template, str):
        try:
            template = yaml.safe_load(template)
        except yaml.YAMLError as exc:
            raise HeatError(400, 'HTTPBadRequest', 'Error parsing template: '
                            '%s' % str(exc).splitlines()[0])
    if not isinstance(template, dict) or not any(
            key in template for key in _VERSION_KEYS):
        raise _invalid('Template format version not found.')
    return template


def check_create(body: object) -> tuple:
    """Check the body of a stack create.

    :param body: the parsed request body.
    :returns: ``(name, template, parameters, tags)``; parameter values as
        strings, tags as a list.
    :raises HeatError: 400 on an unknown field, a bad name, template or
        parameters.
    """
    if not isinstance(body, dict):
        raise HeatError(400, 'HTTPBadRequest', 'The request body must be a '
                                               'JSON object.')
    unknown = sorted(set(body) - set(_CREATE_FIELDS))
    if unknown:
        raise HeatError(400, 'HTTPBadRequest', 'Unknown fields: %s'
                        % ', '.join(unknown))
    name = body.get('stack_name')
    if not isinstance(name, str) or not _STACK_NAME.match(name):
        raise _invalid('Invalid stack name %s must contain only '
                       'alphanumeric or "_-." characters, must start with '
                       'alpha and must be 255 characters or less.' % (name,))
    template = parse_template(body)
    parameters = body.get('parameters') or {}
    if not isinstance(parameters, dict):
        raise HeatError(400, 'HTTPBadRequest', 'The parameters must be a '
                                               'mapping.')
    tags = body.get('tags') or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(',') if t]
    return (name, template,
            {key: str(value) for key, value in parameters.items()}, tags)


class OrchestrationService(typed_errors.TypedErrorService):
    """The orchestration service (a fake Heat API v1).

    :param cloud: the owning FakeCloud.
    """

    name = 'orchestration'
    prefix = '/v1'
    error_types = _TYPES
    default_error_type = 'HTTPError'

    #: Seconds a stack stays ``*_IN_PROGRESS``.
    complete_seconds = 0.0

    def register(self) -> None:
        """Declare the routes."""
        self.route('GET', '/', self.versions, auth=False)
        typed = self.typed
        self.route('POST', '/{project}/stacks', typed(self.create_stack))
        self.route('GET', '/{project}/stacks', typed(self.list_stacks))
        for method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'):
            self.route(method, '/{project}/stacks/{identity}',
                       typed(self.lookup))
        self.route('GET', '/{project}/stacks/{name}/{id}',
                   typed(self.show_stack))
        self.route('DELETE', '/{project}/stacks/{name}/{id}',
                   typed(self.delete_stack))

    def typed_error(self, status: int, error_type: str,
                    message: str) -> Response:
        """Build Heat's error body.

        :param status: the HTTP status.
        :param error_type: the exception name.
        :param message: the message.
        :returns: the response.
        """
        return Response(status, {
            'explanation': _EXPLANATIONS.get(status, message),
            'code': status, 'title': routing.status_title(status),
            'error': {'message': message, 'type': error_type,
                      'traceback': None}})

    def before(self, request: Request) -> None:
        """Finish the actions whose time has come; refuse another project.

        :param request: the request.
        :raises HeatError: 403 when the path names another project.
        """
        with self.state.lock:
            for stack in pending.due(self.state, 'stack'):
                self._finish(stack)
        # NOTE: raised before the route, this error is typed by its status
        # (error_types), which is the type Heat gives it: Forbidden.
        project = request.params.get('project')
        if project is not None and project != request.token.project_id:
            raise HeatError(403, 'Forbidden', 'Forbidden')

    def versions(self, request: Request) -> Response:
        """``GET /``: the versions (300, as Heat).

        :param request: the request.
        :returns: the response.
        """
        return Response(300, {'versions': [{
            'id': 'v1.0', 'status': 'CURRENT',
            'links': [{'rel': 'self', 'href': '%s/v1/' % request.base_url}]}]})

    # -- actions ----------------------------------------------------------

    def _now(self) -> str:
        return state_mod.isotime(self.state.clock(), subsecond=False)

    def _begin(self, stack: dict, action: str) -> None:
        stack.update(action=action, status='IN_PROGRESS',
                     status_reason='Stack %s started' % action)
        if not pending.postpone(stack, self.complete_seconds):
            self._finish(stack)

    def _finish(self, stack: dict) -> None:
        if stack['action'] == 'DELETE':
            self.state.remove('stack', stack['id'])
            return
        stack.update(status='COMPLETE', status_reason='Stack %s completed '
                     'successfully' % stack['action'])

    def _link(self, request: Request, stack: dict) -> str:
        return '%s/v1/%s/stacks/%s/%s' % (request.base_url,
                                          stack['project_id'],
                                          stack['name'], stack['id'])

    def summary(self, request: Request, stack: dict) -> dict:
        """Render a stack as a list shows it.

        :param request: the request.
        :param stack: the stored stack.
        :returns: the API representation.
        """
        return {'id': stack['id'], 'stack_name': stack['name'],
                'description': stack['description'],
                'stack_status': '%s_%s' % (stack['action'], stack['status']),
                'stack_status_reason': stack['status_reason'],
                'creation_time': stack['creation_time'],
                'updated_time': None, 'deletion_time': None,
                'stack_owner': stack['stack_owner'], 'parent': None,
                'stack_user_project_id': stack['project_id'],
                'tags': stack['tags'] or None,
                'links': [{'href': self._link(request, stack),
                           'rel': 'self'}]}

    # -- routes -----------------------------------------------------------

    def create_stack(self, request: Request) -> Response:
        """``POST /v1/{project}/stacks``.

        :param request: the request.
        :returns: the response (201, the stack's id and link).
        :raises HeatError: 400 on a bad name or template, 409 when the
            project has a stack of that name.
        """
        body = request.json()
        name, template, parameters, tags = check_create(body)
        project = request.token.project_id
        with self.state.lock:
            if self.state.find('stack', project_id=project, name=name):
                raise HeatError(409, 'StackExists', 'The Stack (%s) already '
                                                    'exists.' % name)
            user = self.state.get('user', request.token.user_id) or {}
            stack_id = str(uuid.uuid4())
            stack = self.state.add('stack', {
                'id': stack_id, 'name': name, 'project_id': project,
                'description': template.get('description', ''),
                'parameters': dict(parameters, **{
                    'OS::stack_name': name, 'OS::stack_id': stack_id,
                    'OS::project_id': project}),
                'tags': tags, 'timeout_mins': body.get('timeout_mins'),
                'disable_rollback': body.get('disable_rollback', True),
                'stack_owner': user.get('name'),
                'creation_time': self._now()})
            self._begin(stack, 'CREATE')
            return Response(201, {'stack': {
                'id': stack['id'], 'links': [{
                    'href': self._link(request, stack), 'rel': 'self'}]}})

    def list_stacks(self, request: Request) -> Response:
        """``GET /v1/{project}/stacks``: the project's, newest first.

        Filters: ``id``, ``name``, ``status``, ``action``, ``tenant``,
        ``username`` (each may repeat: any value), ``tags`` (comma
        separated: every one); ``limit`` and ``marker``.

        :param request: the request.
        :returns: the response.
        """
        stacks = self.state.list('stack',
                                 project_id=request.token.project_id)[::-1]
        for key, field in _FILTERS.items():
            if key in request.query:
                stacks = [s for s in stacks
                          if s.get(field) in request.query[key]]
        wanted = {t for v in request.query.get('tags', [])
                  for t in v.split(',') if t}
        stacks = [s for s in stacks if wanted <= set(s['tags'])]
        stacks = paging.after_marker(stacks, request.arg('marker'))
        if stacks is None:
            raise _not_found(request.arg('marker'))
        if request.arg('limit'):
            try:
                stacks = stacks[:int(request.arg('limit'))]
            except ValueError:
                raise HeatError(400, 'HTTPBadRequest', 'Only integer is '
                                                       'acceptable by limit.')
        return Response(200, {'stacks': [self.summary(request, s)
                                         for s in stacks]})

    def _identify(self, request: Request, identity: str) -> dict:
        project = request.token.project_id
        stack = (self.state.find('stack', project_id=project, name=identity)
                 or self.state.find('stack', project_id=project,
                                    id=identity))
        if stack is None:
            raise _not_found(identity)
        return stack

    def lookup(self, request: Request) -> Response:
        """``/v1/{project}/stacks/{name or id}``: 302 to the stack's URL.

        :param request: the request.
        :returns: the redirect, query string kept.
        """
        stack = self._identify(request, request.params['identity'])
        location = self._link(request, stack)
        if request.query:
            location += '?' + routing.next_query(request)
        return Response(302, None, headers={'Location': location})

    def _stack(self, request: Request) -> dict:
        stack = self._identify(request, request.params['id'])
        if stack['name'] != request.params['name']:
            raise _not_found(request.params['name'])
        return stack

    def show_stack(self, request: Request) -> Response:
        """``GET /v1/{project}/stacks/{name}/{id}``.

        :param request: the request.
        :returns: the response.
        """
        stack = self._stack(request)
        body = self.summary(request, stack)
        body.update(parameters=dict(stack['parameters']), outputs=[],
                    template_description=stack['description'],
                    capabilities=[], notification_topics=[],
                    timeout_mins=stack['timeout_mins'],
                    disable_rollback=stack['disable_rollback'])
        return Response(200, {'stack': body})

    def delete_stack(self, request: Request) -> Response:
        """``DELETE /v1/{project}/stacks/{name}/{id}``.

        :param request: the request.
        :returns: the response (204).
        """
        with self.state.lock:
            stack = self._stack(request)
            if stack['action'] != 'DELETE':
                self._begin(stack, 'DELETE')
        return Response(204)
