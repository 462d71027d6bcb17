#!/usr/bin/env python3
"""Drive a NUT server with the two Python client libraries, in their users' call order.

    ha_clients.py nut2|aionut HOST PORT UPS [USER PASSWORD] [--hold]

* `nut2` (PyPI nut2, PyNUTClient): every reading method, as in the spec transcripts
  18-py-nut2-anon / 19-py-nut2-auth; with credentials also `run_command beeper.toggle`
  and `set_var ups.delay.shutdown 120`.
* `aionut` (PyPI aionut, Home Assistant's `nut` integration): one persistent
  AIONUTClient, called as Home Assistant calls it (transcripts 20-22): `list_ups` (the
  config flow), `list_vars` (first refresh), `list_commands` (only with user *and*
  password: the buttons), `description` (the device entry), `list_vars` (each poll);
  with credentials also `run_command beeper.toggle` (a button press). `--hold` waits
  before the poll for a line on stdin, as Home Assistant waits for its scan interval
  (the server may close the idle connection meanwhile; aionut then reconnects once).

Prints one JSON object on stdout: {"library", "version", "calls": [[call, result], ...]}.
A call the server may refuse (nut2's `list_clients`, the writes) is recorded as
{"raised": CLASS, "message": TEXT} when it raises the library's own error; any other
exception ends the script with a traceback and a non-zero exit status.
"""

import asyncio
import importlib.metadata
import json
import sys


def refused(library_error, call):
    """Runs CALL; the library's error becomes a record, anything else propagates."""
    try:
        return call()
    except library_error as e:
        return {"raised": type(e).__name__, "message": str(e)}


def drive_nut2(host, port, ups, user, password):
    """PyNUTClient, every method in the transcripts' order (one connection)."""
    import warnings

    # nut2 imports telnetlib, deprecated since Python 3.11: the warning is not ours.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from nut2 import PyNUTClient, PyNUTError

    calls = []
    client = PyNUTClient(host=host, port=port, login=user, password=password, timeout=5)
    calls.append(["list_ups", client.list_ups()])
    calls.append(["description", client.description(ups)])
    calls.append(["list_vars", client.list_vars(ups)])
    calls.append(["get_var ups.status", client.get_var(ups, "ups.status")])
    calls.append(["get battery.charge", client.get(ups, "battery.charge")])
    calls.append(["var_type ups.delay.shutdown", client.var_type(ups, "ups.delay.shutdown")])
    calls.append(["var_description ups.status", client.var_description(ups, "ups.status")])
    calls.append(["list_rw_vars", client.list_rw_vars(ups)])
    calls.append(["list_range ups.delay.shutdown", client.list_range(ups, "ups.delay.shutdown")])
    calls.append(["list_commands", client.list_commands(ups)])
    calls.append(
        ["command_description beeper.toggle", client.command_description(ups, "beeper.toggle")]
    )
    calls.append(["list_clients", refused(PyNUTError, lambda: client.list_clients(ups))])
    calls.append(["help", client.help()])
    calls.append(["ver", client.ver()])
    if user is not None:
        calls.append(
            ["run_command beeper.toggle",
             refused(PyNUTError, lambda: client.run_command(ups, "beeper.toggle"))]
        )
        calls.append(
            ["set_var ups.delay.shutdown 120",
             refused(PyNUTError, lambda: client.set_var(ups, "ups.delay.shutdown", "120"))]
        )
    # The destructor sends LOGOUT.
    del client
    return calls


async def drive_aionut(host, port, ups, user, password, hold):
    """AIONUTClient as Home Assistant's nut integration calls it (one persistent connection)."""
    from aionut import AIONUTClient, NUTError

    async def refused_async(call):
        try:
            return await call
        except NUTError as e:
            return {"raised": type(e).__name__, "message": str(e)}

    calls = []
    client = AIONUTClient(host=host, port=port, username=user, password=password, timeout=5)
    try:
        calls.append(["list_ups", await client.list_ups()])
        calls.append(["list_vars", await client.list_vars(ups)])
        if user is not None and password is not None:
            calls.append(["list_commands", sorted(await client.list_commands(ups))])
        calls.append(["description", await client.description(ups)])
        if hold:
            # The event loop has nothing else to do: a blocking read is fine here.
            sys.stdin.readline()
        calls.append(["list_vars again", await client.list_vars(ups)])
        if user is not None:
            calls.append(
                ["run_command beeper.toggle",
                 await refused_async(client.run_command(ups, "beeper.toggle"))]
            )
    finally:
        client.shutdown()
    return calls


def main(argv):
    hold = "--hold" in argv
    argv = [a for a in argv if a != "--hold"]
    if len(argv) not in (4, 6) or argv[0] not in ("nut2", "aionut"):
        sys.exit(__doc__)
    library, host, port, ups = argv[0], argv[1], int(argv[2]), argv[3]
    user, password = (argv[4], argv[5]) if len(argv) == 6 else (None, None)
    if library == "nut2":
        calls = drive_nut2(host, port, ups, user, password)
    else:
        calls = asyncio.run(drive_aionut(host, port, ups, user, password, hold))
    json.dump(
        {"library": library, "version": importlib.metadata.version(library), "calls": calls},
        sys.stdout,
        indent=1,
    )
    print()


if __name__ == "__main__":
    main(sys.argv[1:])
