// A connect-node client of echo.v1.EchoService: a Connect client nobody here wrote.
//
// Usage: node client.mjs <dir with echo/v1/echo_pb.js> <base URL> <1.1|2>
// Calls every RPC kind (bidi over HTTP/2 only), JSON and binary, and an error, then prints one
// JSON line with what came back.
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

const [genDir, baseUrl, httpVersion] = process.argv.slice(2);
const { EchoService } = await import(
  pathToFileURL(path.join(genDir, "echo", "v1", "echo_pb.js")).href
);

async function* messages(...texts) {
  for (const message of texts) yield { message };
}

const out = {};
for (const useBinaryFormat of [true, false]) {
  const codec = useBinaryFormat ? "proto" : "json";
  const transport = createConnectTransport({ baseUrl, httpVersion, useBinaryFormat });
  const client = createClient(EchoService, transport);
  const headers = {};
  const unary = await client.echo(
    { message: "hi", responseHeaders: { "x-from": "node" } },
    { onHeader: (h) => (headers.x = h.get("x-from")) },
  );
  out[`${codec}-unary`] = [unary.message, headers.x];
  const repeated = [];
  for await (const r of client.repeat({ message: "r", count: 3 })) repeated.push(r.index);
  out[`${codec}-server-stream`] = repeated;
  out[`${codec}-client-stream`] = (await client.collect(messages("a", "b", "c"))).message;
  if (httpVersion === "2") {
    const chat = [];
    for await (const r of client.chat(messages("x", "y"))) chat.push(r.message);
    out[`${codec}-bidi`] = chat;
  }
  try {
    await client.echo({ errorCode: 5, errorMessage: "nope" });
  } catch (e) {
    const err = ConnectError.from(e);
    out[`${codec}-error`] = [err.code, err.rawMessage];
  }
}
console.log(JSON.stringify(out));
