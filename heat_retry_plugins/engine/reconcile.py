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

"""Reconciling a create whose response was lost.

Nova has no idempotency token, but Heat names what it creates uniquely, so
the name is the key: after an AMBIGUOUS failure of a create, the engine
looks the resource up by name before anything is sent again. A plugin
author describes one kind of create with a :class:`Reconciler`.
"""

import abc

#: Seconds by which a found resource may seem to predate the create that
#: made it: servers report creation times to the second, and the engine's
#: clock and the service's are not the same clock.
CLOCK_SLACK = 2.0


def call_argument(args, kwargs, position, name):
    """Return an argument of a call, given by keyword or by position.

    :param args: the call's positional arguments.
    :param kwargs: its keyword arguments.
    :param position: the argument's position, counted without ``self``.
    :param name: its name.
    :returns: the value, or None when the call did not pass it.
    """
    if name in kwargs:
        return kwargs[name]
    return args[position] if len(args) > position else None


class Reconciler(metaclass=abc.ABCMeta):
    """How to find (and remove) what one kind of create made, by name.

    Subclass it for a create method and register it with the client plugin
    (see :meth:`~heat_retry_plugins.clients.base.RetryingClientPlugin
    .register_reconciler`). One is made for each call, so it may keep what
    :meth:`name` read from the call's arguments. Every method may raise the
    client library's exceptions: lookups and deletes are retried like any
    idempotent call.
    """

    #: What the create makes, for log lines (``server``, ``keypair``).
    kind = 'resource'

    @abc.abstractmethod
    def name(self, args, kwargs):
        """Return the unique name the create was called with, or None.

        :param args: the positional arguments of the create call.
        :param kwargs: its keyword arguments.
        :returns: the name; None when the call has no name to find it by
            (the create is then retried only when it was not processed).
        """

    @abc.abstractmethod
    def find(self, name):
        """Return every resource whose name is exactly ``name``.

        :param name: the name, which is not a pattern: escape it for any
            filter that treats it as one.
        :returns: a list of the objects the create itself returns.
        """

    def adoptable(self, args, kwargs):
        """Can a found resource stand for the create's response?

        False when the response carries what a lookup cannot return (a
        generated private key): the engine then deletes what the lost
        attempt made and creates again, as ``create_cleanup`` does.
        """
        return True

    def created_at(self, resource):
        """Return when ``resource`` was created (POSIX seconds), or None."""
        return None

    def identify(self, resource):
        """Return ``resource``'s id, for log lines."""
        return getattr(resource, 'id', None)

    def delete(self, resource):
        """Delete ``resource`` (``create_cleanup`` only)."""
        raise NotImplementedError(
            '%s cannot clean up a %s' % (type(self).__name__, self.kind))

    def is_gone(self, resource):
        """Return True once ``resource`` no longer exists."""
        return not any(self.identify(r) == self.identify(resource)
                       for r in self.find(self.resource_name(resource)))

    def resource_name(self, resource):
        """Return ``resource``'s name."""
        return getattr(resource, 'name', None)


class ReconcileError(Exception):
    """A lost create cannot be reconciled without guessing.

    Raised ``from`` the original failure of the create, when more than one
    resource has the name, or when the one that has it existed before the
    create started.

    :param kind: what the create makes.
    :param name: the name it was called with.
    :param resources: what the lookup found.
    :param reason: why nothing was adopted.
    """

    def __init__(self, kind, name, resources, reason):
        self.kind = kind
        self.name = name
        self.resources = list(resources)
        super().__init__('Cannot reconcile the %s named %r after its create '
                         'failed ambiguously: %s' % (kind, name, reason))
