"""Run the same call from several threads at once, each on its own database
connection, to show that a job claims its work only once."""

import threading

from django.db import connection


def run_concurrently(call, *, times: int = 2) -> tuple[list, list]:
    """Start ``times`` threads together on ``call``; return (results, errors)."""
    results, errors = [], []
    start = threading.Barrier(times)

    def run():
        try:
            start.wait()
            results.append(call())
        except Exception as error:  # the caller asserts there were none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
