"""The streaming guide's server, unchanged: a client-streaming Greet served over ASGI.

Run it with ``uvicorn server:app`` from this directory (with ``gen/`` on ``PYTHONPATH``).
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
