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

"""Forcing a race between two threads, deterministically.

A lock is proven only by a test that fails without it: :class:`Race` holds
the first thread that reaches one line of the code under test until
another thread reaches a second line (or until ``patience`` runs out),
whatever the scheduler would have done. With the lock, the second thread
cannot get there while the first holds it, so the first goes on after the
patience and the two run one after the other; without it, both are inside
at once, every time.

The lines are found by their text in the function's source: a change that
moves them makes :meth:`Race.hold` fail loudly, never pass quietly.
"""

import contextlib
import inspect
import threading


def line_of(func, text):
    """Return the number of the one line of ``func`` that holds ``text``."""
    lines, start = inspect.getsourcelines(func)
    found = [start + index for index, line in enumerate(lines)
             if text in line]
    assert len(found) == 1, '%r is on %d lines of %s' % (
        text, len(found), func.__qualname__)
    return found[0]


class Race:
    """Hold a thread at one line until another reaches another line.

    :param hold: ``(function, text)``: the first thread to reach this line
        waits there.
    :param until: ``(function, text)``: a thread reaching this line while
        one is held lets it go on.
    :param patience: seconds the held thread waits at most.
    """

    def __init__(self, hold, until, patience=0.5):
        self._hold = (hold[0].__code__, line_of(*hold))
        self._until = (until[0].__code__, line_of(*until))
        self.patience = patience
        self._lock = threading.Lock()
        self._holding = False
        #: Set once a thread is held (and the next thread can start).
        self.held = threading.Event()
        self._released = threading.Event()
        #: True when the second line was reached while a thread was held.
        self.overlapped = False

    def _at(self, where):
        with self._lock:
            if where == self._until and self._holding:
                self.overlapped = True
                self._released.set()
            if where != self._hold or self.held.is_set():
                return
            self._holding = True
            self.held.set()
        self._released.wait(self.patience)
        with self._lock:
            self._holding = False

    def _trace(self, frame, event, arg):
        code = frame.f_code
        if code is not self._hold[0] and code is not self._until[0]:
            return None

        def local(frame, event, arg):
            if event == 'line':
                self._at((frame.f_code, frame.f_lineno))
            return local
        return local

    @contextlib.contextmanager
    def tracing(self):
        """Trace the threads started inside the block."""
        threading.settrace(self._trace)
        try:
            yield self
        finally:
            threading.settrace(None)

    def run(self, first, second):
        """Run ``first`` in a thread until it is held, then ``second``.

        :returns: ``(outcome of first, outcome of second)``: what each
            returned, or the exception it raised.
        :raises AssertionError: when ``first`` never reached the held line.
        """
        results = {}

        def call(name, func):
            try:
                results[name] = func()
            except Exception as exc:
                results[name] = exc

        with self.tracing():
            one = threading.Thread(target=call, args=('first', first))
            one.start()
            reached = self.held.wait(10.0)
            two = threading.Thread(target=call, args=('second', second))
            two.start()
            one.join()
            two.join()
        assert reached, 'the first thread never reached the held line'
        return results['first'], results['second']
