// A connect-node client of echo.v1.EchoService: a Connect client nobody here wrote.
//
// Usage: node client.mjs <dir with echo/v1/echo_pb.js> <base URL> [1.1|2]
// Calls every RPC kind connect-node speaks over the given HTTP version (1.1 when not given;
// bidi over HTTP/2 only), in binary and in JSON: unary with POST (response headers too) and
// with GET, server and client streams, a unary error and an error after a stream's start.
// Prints one JSON object with what came back, for the Python test to check.
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

const [genDir, baseUrl, httpVersion = "1.1"] = process.argv.slice(2);
const { EchoService } = await import(
  pathToFileURL(path.join(genDir, "echo", "v1", "echo_pb.js")).href
);

const client = (options) =>
  createClient(EchoService, createConnectTransport({ baseUrl, httpVersion, ...options }));

async function* messages(...texts) {
  for (const message of texts) yield { message };
}

// The code and message of the Connect error `call` fails with (null when it succeeds).
async function failure(call) {
  try {
    await call();
    return null;
  } catch (e) {
    const err = ConnectError.from(e);
    return [err.code, err.rawMessage];
  }
}

const out = {};
for (const useBinaryFormat of [true, false]) {
  const codec = useBinaryFormat ? "proto" : "json";
  const echo = client({ useBinaryFormat });
  const headers = {};
  const unary = await echo.echo(
    { message: "hi", responseHeaders: { "x-from": "node" } },
    { onHeader: (h) => (headers.x = h.get("x-from")) },
  );
  out[`${codec}-unary`] = [unary.message, headers.x];
  const post = await echo.echoPost({ message: "node" });
  out[`${codec}-post`] = [post.message, post.httpMethod, post.requestHeaders["content-type"]];
  const repeated = [];
  for await (const r of echo.repeat({ message: "r", count: 3 })) repeated.push(r.index);
  out[`${codec}-server-stream`] = repeated;
  const collected = await echo.collect(messages("a", "b", "c"));
  out[`${codec}-client-stream`] = [collected.message, collected.index];
  if (httpVersion === "2") {
    const chat = [];
    for await (const r of echo.chat(messages("x", "y"))) chat.push(r.message);
    out[`${codec}-bidi`] = chat;
  }
  out[`${codec}-error`] = await failure(() => echo.echoPost({ errorCode: 7, errorMessage: "nope" }));
  out[`${codec}-stream-error`] = await failure(async () => {
    for await (const _ of echo.repeat({ count: 1, errorCode: 9 }));
  });
}
const got = await client({ useBinaryFormat: true, useHttpGet: true }).echo({ message: "by get" });
out.get = [got.message, got.httpMethod];
console.log(JSON.stringify(out));
