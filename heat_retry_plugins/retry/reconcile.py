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

"""Reconciling a create whose response was lost, by ownership token.

OpenStack has no idempotency token, so the request layer makes one: a
create it may have to reconcile carries a token of its own call on the
resource itself (a metadata key, a tag, a Keystone extra attribute, a
keypair's public key). After an AMBIGUOUS failure the engine looks the
resource up before anything is sent again, and :func:`judge` decides from
what the lookup found:

* something carries the token: it is ours; adopt one (or, when the create's
  response carries what a lookup cannot return, delete what we made and
  send again) and delete any other that carries the token;
* nothing does: send the create again, with the same token. What carries
  no token belongs to someone else and is never adopted nor deleted; if
  its name blocks our create, the service answers 409 and the call fails
  as it would have without retries.

Clocks never decide ownership. A :class:`Reconciler` describes one kind of
create; one is made for each call, from the call's marked request.
"""

import abc
import dataclasses
import typing


class Reconciler(metaclass=abc.ABCMeta):
    """How to find, prove ownership of, and delete what one create made.

    Every method may raise the errors of the requests it sends: lookups and
    deletes are retried like any idempotent call.
    """

    #: What the create makes, for log lines (``server``, ``keypair``).
    kind = 'resource'

    #: The statuses that, after a lost attempt, mean what that attempt made
    #: may be in the way: they are reconciled, not raised.
    conflict_statuses = frozenset([409])

    #: True when a found resource can stand for the create's response;
    #: False when the response carries what a lookup cannot return, so
    #: that what the lost attempt made is deleted and the create sent
    #: again, as ``create_cleanup`` does.
    adoptable = True

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The name the create was called with, for log lines."""

    @abc.abstractmethod
    def find(self) -> list:
        """Return every resource of the create's name, ours or not."""

    @abc.abstractmethod
    def is_ours(self, resource: typing.Any) -> bool:
        """Does ``resource`` carry this call's ownership token?"""

    @abc.abstractmethod
    def identify(self, resource: typing.Any) -> str:
        """Return ``resource``'s id, for log lines and comparisons."""

    @abc.abstractmethod
    def delete(self, resource: typing.Any) -> None:
        """Delete ``resource`` (only ever called on one that is ours)."""

    @abc.abstractmethod
    def is_gone(self, resource: typing.Any) -> bool:
        """Return True once ``resource`` no longer exists."""

    @abc.abstractmethod
    def respond(self, resource: typing.Any) -> typing.Any:
        """Return what the create returns, for an adopted ``resource``."""

    def covers(self, resource: typing.Any) -> bool:
        """Does one resource of ours stand for the whole create?

        True by default; False for a create of several resources at once
        (a bulk create) when what was found is not all of them: what was
        found is then deleted and the create sent again.
        """
        return True

    def claimable(self) -> bool:
        """Could what a lookup finds after a failure be told ours?

        Called once before the first attempt. A create whose resource
        carries no token (a natural key alone proves it) returns False
        when that key is already taken: the create is then sent once, as
        it would be without retries. True by default.
        """
        return True

    def settled(self, result: typing.Any, lost_attempts: int) -> None:
        """The call returned ``result`` after lost attempts.

        A lost create may still land after the call returned: the request
        layer registers a sweep here.

        :param result: what the call returns.
        :param lost_attempts: how many attempts failed AMBIGUOUSLY.
        """

    def abandoned(self, lost_attempts: int) -> None:
        """The call gave up after lost attempts, or was ended without.

        What they made, if it lands, is nobody's: the caller got an error
        and knows no id (Heat records no ``resource_id``). The request
        layer sweeps every resource that carries the call's token. Also
        called when the call is ended by what it did not decide (its
        greenthread killed in an attempt or a backoff, a cleanup that
        failed), the attempt cut short counted as lost. Should not raise
        (the engine logs what it raises, and raises what ended the call).

        :param lost_attempts: how many attempts failed AMBIGUOUSLY or were
            cut short (at least one).
        """


@dataclasses.dataclass(frozen=True)
class Adopt:
    """One found resource is ours: return it; delete the other ours."""

    resource: typing.Any
    extra: tuple = ()


@dataclasses.dataclass(frozen=True)
class Cleanup:
    """Ours exist but cannot stand for the response: delete, then resend."""

    resources: tuple


@dataclasses.dataclass(frozen=True)
class Resend:
    """Nothing found is ours: send the create again (same token)."""

    foreign: tuple = ()


def judge(reconciler: Reconciler, found: typing.Iterable[typing.Any],
          adopt: bool = True) -> Adopt | Cleanup | Resend:
    """Decide what to do with what a reconciling lookup found.

    :param reconciler: the call's :class:`Reconciler`.
    :param found: what :meth:`Reconciler.find` returned.
    :param adopt: False under ``create_cleanup``.
    :returns: :class:`Adopt`, :class:`Cleanup` or :class:`Resend`.
    """
    ours, foreign = [], []
    for resource in found:
        (ours if reconciler.is_ours(resource) else foreign).append(resource)
    if not ours:
        return Resend(tuple(foreign))
    if adopt and reconciler.adoptable and reconciler.covers(ours[0]):
        return Adopt(ours[0], tuple(ours[1:]))
    return Cleanup(tuple(ours))


def extras(reconciler: Reconciler, found: typing.Iterable[typing.Any],
           kept_id: str) -> list:
    """Return what a sweep deletes: ours, other than the one kept.

    :param reconciler: the :class:`Reconciler` of the call that made
        ``kept_id``.
    :param found: what :meth:`Reconciler.find` returned.
    :param kept_id: the id of the resource the call returned.
    """
    return [resource for resource in found
            if reconciler.is_ours(resource) and
            reconciler.identify(resource) != kept_id]
