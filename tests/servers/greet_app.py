"""The seed's greet service, verbatim: proves the documented code runs unchanged.

ASGI: ``servers.greet_app:app``; WSGI: ``servers.greet_app:wsgi_app``.
"""

from greet.v1.greet_connect import GreetService, GreetServiceASGIApplication
from greet.v1.greet_pb2 import GreetResponse


class Greeter(GreetService):
    async def greet(self, request, ctx):
        print("Request headers: ", ctx.request_headers())
        greeting = ""
        async for message in request:
            greeting += f"Hello, {message.name}!\n"
        response = GreetResponse(greeting=greeting)
        ctx.response_headers()["greet-version"] = "v1"
        return response


app = GreetServiceASGIApplication(Greeter())


# The WSGI twin of the seed.
from greet.v1.greet_connect import GreetServiceSync, GreetServiceWSGIApplication  # noqa: E402


class GreeterSync(GreetServiceSync):
    def greet(self, request, ctx):
        print("Request headers: ", ctx.request_headers())
        greeting = ""
        for message in request:
            greeting += f"Hello, {message.name}!\n"
        response = GreetResponse(greeting=greeting)
        ctx.response_headers()["greet-version"] = "v1"
        return response


wsgi_app = GreetServiceWSGIApplication(GreeterSync())
