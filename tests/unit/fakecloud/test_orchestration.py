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

"""The fake Heat API through python-heatclient v1."""

from heatclient import client as heat_client
from heatclient import exc as heat_exc
from keystoneauth1 import exceptions as ks_exc
import pytest
import requests

from tests.unit.fakecloud import helpers

TEMPLATE = {'heat_template_version': '2018-08-31',
            'description': 'a fake stack', 'resources': {}}


def heat_url(cloud, project_id=None):
    return '%s/v1/%s' % (cloud.base_url('orchestration'),
                         project_id or cloud.project_id)


def heat(cloud, session):
    """A heatclient as Heat's plugin makes it, with endpoint_override."""
    return heat_client.Client('1', endpoint_override=heat_url(cloud),
                              session=session)


@pytest.fixture
def client(cloud, session):
    return heat(cloud, session)


def create(client, name, **fields):
    return client.stacks.create(stack_name=name, template=TEMPLATE,
                                **fields)['stack']


def test_the_catalog_points_at_the_projects_heat(cloud):
    assert cloud.endpoint('orchestration') == heat_url(cloud)


def test_a_stack_is_created_shown_listed_and_deleted(cloud, client):
    created = create(client, 'one', parameters={'size': 2}, tags='a,b')
    assert created['links'][0]['href'] == '%s/stacks/one/%s' % (
        heat_url(cloud), created['id'])
    stack = client.stacks.get(created['id'])
    assert (stack.stack_name, stack.stack_status) == ('one',
                                                      'CREATE_COMPLETE')
    assert stack.parameters['size'] == '2'
    assert stack.parameters['OS::stack_id'] == created['id']
    assert (stack.description, stack.tags) == ('a fake stack', ['a', 'b'])
    assert [s.stack_name for s in client.stacks.list()] == ['one']
    client.stacks.delete('one')
    with pytest.raises(heat_exc.HTTPNotFound):
        client.stacks.get(created['id'])
    assert cloud.counters()['live']['stack'] == 0


def test_names_are_unique_in_a_project(cloud, client):
    create(client, 'same')
    with pytest.raises(heat_exc.HTTPConflict) as info:
        create(client, 'same')
    assert 'already exists' in str(info.value)
    assert cloud.counters()['created']['stack'] == 1


def test_the_lookup_redirects_to_the_canonical_url(cloud, session, client):
    created = create(client, 'look')
    for identity in ('look', created['id']):
        response = session.get('%s/stacks/%s' % (heat_url(cloud), identity),
                               redirect=False, params={'x': '1'})
        assert response.status_code == 302
        assert response.headers['Location'] == (
            '%s/stacks/look/%s?x=1' % (heat_url(cloud), created['id']))
    assert client.stacks.get('look').id == created['id']
    with pytest.raises(heat_exc.HTTPNotFound):
        client.stacks.get('nothing')
    with pytest.raises(heat_exc.HTTPNotFound):
        client.stacks.get('other/%s' % created['id'])


def test_list_filters_and_pagination(client):
    for name in ('a', 'b', 'c'):
        create(client, name, tags=name)
    assert [s.stack_name for s in client.stacks.list()] == ['c', 'b', 'a']
    assert [s.stack_name for s in client.stacks.list(
        filters={'name': 'b'})] == ['b']
    assert [s.stack_name for s in client.stacks.list(
        tags='a')] == ['a']
    assert [s.stack_name for s in client.stacks.list(limit=2)] == ['c', 'b']


def test_stacks_take_time_when_asked(cloud, client):
    cloud.services['orchestration'].complete_seconds = 0.3
    created = create(client, 'slow')
    assert client.stacks.get('slow').stack_status == 'CREATE_IN_PROGRESS'
    helpers.poll(lambda: client.stacks.get('slow').stack_status ==
                 'CREATE_COMPLETE')
    client.stacks.delete(created['id'])
    assert client.stacks.get('slow').stack_status == 'DELETE_IN_PROGRESS'
    with pytest.raises(heat_exc.HTTPConflict):
        create(client, 'slow')

    def gone():
        return not list(client.stacks.list())

    helpers.poll(gone)


def test_bad_requests_have_heats_error_body(cloud, session, client):
    with pytest.raises(heat_exc.HTTPBadRequest):
        create(client, '1-starts-with-a-digit')
    with pytest.raises(heat_exc.HTTPBadRequest):
        client.stacks.create(stack_name='no-version', template={'a': 1})
    response = session.post(heat_url(cloud) + '/stacks', json={
        'stack_name': 'x', 'template': '{not yaml'}, raise_exc=False)
    assert response.status_code == 400
    assert set(response.json()) == {'explanation', 'code', 'error', 'title'}
    other = session.get(heat_url(cloud, 'someone-else') + '/stacks',
                        raise_exc=False)
    assert other.status_code == 403
    assert requests.get(heat_url(cloud) + '/stacks').status_code == 401


def test_drop_after_a_stack_create_leaves_the_stack(make_cloud):
    cloud = make_cloud(faults=[{
        'service': 'orchestration', 'method': 'POST', 'path': '/stacks$',
        'first': 1, 'fault': 'drop_after'}])
    client = heat(cloud, helpers.make_session(cloud))
    with pytest.raises(ks_exc.ConnectFailure):
        create(client, 'orphan')
    assert [s['name'] for s in cloud.objects('stack')] == ['orphan']
    with pytest.raises(heat_exc.HTTPConflict):
        create(client, 'orphan')
