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

"""Cinder quotas and limits: unlimited until set, then a 413 over them."""

from cinderclient import exceptions as cinder_exc
import pytest


def test_a_quota_refuses_volumes_over_it_with_413(cloud, cinder):
    cinder.quotas.update(cloud.project_id, volumes=1)
    assert cinder.quotas.get(cloud.project_id).volumes == 1
    cinder.volumes.create(1)
    with pytest.raises(cinder_exc.OverLimit, match='VolumeLimitExceeded'):
        cinder.volumes.create(1)
    usage = cinder.quotas.get(cloud.project_id, usage=True).volumes
    assert usage == {'limit': 1, 'in_use': 1, 'reserved': 0,
                     'allocated': 0}
    cinder.quotas.delete(cloud.project_id)
    cinder.volumes.create(1)
    assert len(cinder.volumes.list()) == 2


def test_limits_count_the_projects_volumes_and_gigabytes(cinder):
    cinder.volumes.create(4)
    absolute = {limit.name: limit.value
                for limit in cinder.limits.get().absolute}
    assert absolute['totalVolumesUsed'] == 1
    assert absolute['totalGigabytesUsed'] == 4
    assert absolute['maxTotalVolumes'] == -1
