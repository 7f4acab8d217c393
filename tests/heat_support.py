"""Running Heat's client plugins in-process against the fake cloud."""

from heat.common import context
from heat.engine import clients
from oslo_config import cfg


def heat_context(cloud, heat_conf):
    """Return a Heat RequestContext that authenticates to ``cloud``.

    :param cloud: a started FakeCloud.
    :param heat_conf: the ``heat_conf`` fixture, to point Heat at it.
    """
    cfg.CONF([], project='heat')
    heat_conf.set(group='clients_keystone', auth_uri=cloud.auth_url)
    heat_conf.set(region_name_for_services=cloud.region)
    clients.initialise()
    return context.RequestContext(
        username=cloud.username, password=cloud.password,
        auth_url=cloud.auth_url, project_id=cloud.project_id,
        user_domain_id=cloud.domain_id, project_domain_id=cloud.domain_id,
        region_name=cloud.region, is_admin=False)
