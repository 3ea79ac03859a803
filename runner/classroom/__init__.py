"""Classroom batch sessions: a roster in, a lab per trainee, SSH seats, a gradebook out.

A class is a durable object in the session store (:mod:`runner.classroom.store`);
each seat drives ordinary dflab sessions through :mod:`runner.session.runtime`,
so a seat and a solo trainee get the same checks and the same ``lab`` protocol.
"""
