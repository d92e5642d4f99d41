"""The streaming guide's WSGI server, with its response built from the collected greeting.

Run it with ``gunicorn wsgi_server:app`` from this directory (with ``gen/`` on ``PYTHONPATH``).
"""

from greet.v1.greet_connect import GreetServiceSync, GreetServiceWSGIApplication
from greet.v1.greet_pb2 import GreetResponse


class Greeter(GreetServiceSync):
    def greet(self, request, ctx):
        print("Request headers: ", ctx.request_headers())
        greeting = ""
        for message in request:
            greeting += f"Hello, {message.name}!\n"
        response = GreetResponse(greeting=greeting)
        ctx.response_headers()["greet-version"] = "v1"
        return response


app = GreetServiceWSGIApplication(Greeter())
