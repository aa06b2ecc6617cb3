"""Bounded steps for the addon's scheduled jobs on a production Odoo.

In workers mode Odoo kills a cron worker after ``limit_time_real_cron`` seconds (by
default ``limit_time_real``, 120 s), counted over one *window*: every ready job of the
database, each called again up to ten times in a row while it reports work left through
``ir.cron._notify_progress``. So a long job of the addon:

- commits one bounded step at a time, a step taking about :func:`step_seconds`, so that a
  kill loses at most that step;
- reports its progress after each call (Odoo then calls it again at once);
- stops for this window before a step that might not end within it (:func:`window_spent`),
  and asks Odoo for a new call with a trigger (:func:`continue_later`): a new window, so
  never killed for the sum of well-behaved steps.

A cron worker's limit also counts the time it slept, waiting for work, before it took the
job: Odoo pings its watchdog, then sleeps up to ``SLEEP_INTERVAL`` (60 s) plus up to 9 s,
and a trigger wakes it at any point of that sleep. So the addon only counts on what is
left of the limit once that sleep is taken off (``SLEEP_MARGIN``): 45 s of Odoo's 120.

Under tests (a rolled-back transaction) nothing is committed: see :func:`committing`.
"""
import threading
import time

from odoo.tools import config

DEFAULT_LIMIT = 120     # seconds: Odoo's default limit_time_real
SLEEP_MARGIN = 75       # seconds: a cron worker's sleep before the job (60 s + up to 9 s), and some
WINDOW_START = '_crm_loyalty_window_start'     # attribute of the job's cursor
BATCHES_PER_STEP = 4


def cron_time_limit():
    """Seconds a cron call may last before Odoo kills it: ``limit_time_real_cron``, else
    ``limit_time_real``; 120 when neither sets a limit (0 means none)."""
    limit = config['limit_time_real_cron']
    if limit is None or limit < 0:
        limit = config['limit_time_real']
    return limit if limit and limit > 0 else DEFAULT_LIMIT


def step_seconds():
    """The time one call of a job may spend on its steps: a quarter of the cron's limit."""
    return cron_time_limit() / 4


def committing():
    """Whether a job commits its steps: always, except under tests, whose transaction
    is rolled back at the end."""
    return not getattr(threading.current_thread(), 'testing', False)


def window_budget():
    """Seconds of a cron window the addon's steps may use: the limit without the worker's
    sleep before the job (``SLEEP_MARGIN``), at least a quarter of the limit."""
    limit = cron_time_limit()
    return max(limit - SLEEP_MARGIN, limit / 4)


def window_spent(env, next_step=0.0):
    """Whether a step expected to take ``next_step`` seconds might not end within this
    cron window (:func:`window_budget`); ``next_step=None``: a step whose time is not
    known, which only the window's first call starts. The window is timed from the first
    call of an addon job on the job's cursor (Odoo calls a job up to ten times in a row on
    one cursor, within one limit). Tests share one cursor for many calls: there the window
    only starts where a test sets it."""
    cr = env.cr
    start = getattr(cr, WINDOW_START, None)
    if start is None:
        if not committing():
            return False
        setattr(cr, WINDOW_START, start := time.monotonic())
    elapsed = time.monotonic() - start
    if next_step is None:
        return elapsed > 1.0
    return elapsed + next_step > window_budget()


def call_deadline(env, seconds):
    """The ``time.monotonic()`` after which a call starts no more steps: ``seconds`` from now
    (the job's step budget, :func:`step_seconds`), and never past this window's budget."""
    end = time.monotonic() + seconds
    start = getattr(env.cr, WINDOW_START, None)
    return end if start is None else min(end, start + window_budget())


def continue_later(env, cron_xmlid, done, remaining):
    """Report the progress of a call (``done`` and ``remaining``: counts of work units)
    and, while work remains, trigger the job ``cron_xmlid`` again, so that it continues
    in a new call even where Odoo does not call it again by itself (a window spent, a
    "Run Manually")."""
    env['ir.cron']._notify_progress(done=done, remaining=remaining)
    if remaining:
        env.ref(cron_xmlid).sudo()._trigger()


def next_batch_size(size, seconds):
    """The size of a job's next batch, so that one batch takes about a quarter of a step:
    the last batch of ``size`` work units took ``seconds``. At most twice the last size (a
    quick batch says little about a much bigger one), at least one unit."""
    target = step_seconds() / BATCHES_PER_STEP
    if seconds <= 0:
        return size * 2
    return max(1, min(size * 2, int(size * target / seconds)))


def write_in_steps(records, domain, values, cron_xmlid, batch_size, deadline):
    """One call of a job that writes ``values`` on the records of ``domain`` (a model's
    empty recordset ``records``), which the write takes out of the domain: batches of
    ``batch_size`` records, each committed, until ``time.monotonic()`` passes
    ``deadline``; then the progress. Returns the number of records written."""
    env = records.env
    if window_spent(env):
        continue_later(env, cron_xmlid, 0, records.search_count(domain))
        return 0
    done = 0
    while not (done and time.monotonic() > deadline):
        batch = records.search(domain, limit=batch_size, order='id')
        batch.write(values)
        done += len(batch)
        if committing():
            env.cr.commit()  # pylint: disable=invalid-commit (one batch at a time)
        if len(batch) < batch_size:
            break
    continue_later(env, cron_xmlid, done, records.search_count(domain))
    return done
