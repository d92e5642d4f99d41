// A connect-node client calling echo.v1.EchoService: a Connect client nobody here wrote.
//
// Usage: node client.mjs <dir with echo/v1/echo_pb.js> <base URL>
// Calls every kind connect-node speaks over HTTP/1.1 (unary with POST and GET, binary and
// JSON, server and client streams, an error, a refused call) and prints one JSON line per
// result, for the Python test to check.
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

const [genDir, baseUrl] = process.argv.slice(2);
const { EchoService } = await import(
  pathToFileURL(path.join(genDir, "echo", "v1", "echo_pb.js")).href
);

const client = (options) =>
  createClient(
    EchoService,
    createConnectTransport({ baseUrl, httpVersion: "1.1", ...options }),
  );
const out = (record) => console.log(JSON.stringify(record));

const binary = client({ useBinaryFormat: true });
const json = client({ useBinaryFormat: false });
const viaGet = client({ useBinaryFormat: true, useHttpGet: true });

let r = await binary.echoPost({ message: "node" });
out({ call: "unary", message: r.message, method: r.httpMethod });
r = await viaGet.echo({ message: "node-get" });
out({ call: "get", message: r.message, method: r.httpMethod });
r = await json.echoPost({ message: "node-json" });
out({ call: "json", message: r.message, type: r.requestHeaders["content-type"] });

const indexes = [];
for await (const m of binary.repeat({ message: "s", count: 3 })) indexes.push(m.index);
out({ call: "server-stream", indexes });

async function* words() {
  yield { message: "a" };
  yield { message: "b" };
}
r = await binary.collect(words());
out({ call: "client-stream", message: r.message, index: r.index });

for (const [name, call] of [
  ["error", () => binary.echoPost({ errorCode: 7, errorMessage: "nope" })],
  ["stream-error", async () => { for await (const _ of binary.repeat({ count: 1, errorCode: 9 })); }],
]) {
  try {
    await call();
    out({ call: name, code: null });
  } catch (e) {
    const err = ConnectError.from(e);
    out({ call: name, code: err.code, message: err.rawMessage });
  }
}
