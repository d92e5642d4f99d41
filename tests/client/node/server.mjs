// echo.v1.EchoService on connect-node: a Connect server nobody here wrote.
//
// Usage: node server.mjs <dir with echo/v1/echo_pb.js>
// Serves HTTP/1.1 and h2c (HTTP/2 prior knowledge) on two free ports of 127.0.0.1 and prints
// one JSON line {"http1": port, "h2c": port} once both listen. The handlers follow the steering
// fields of tests/proto/echo/v1/echo.proto, like tests/servers/echo_service.py.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  compressionBrotli,
  compressionGzip,
  connectNodeAdapter,
} from "@connectrpc/connect-node";

const genDir = process.argv[2];
const { EchoService, EchoResponseSchema } = await import(
  pathToFileURL(path.join(genDir, "echo", "v1", "echo_pb.js")).href
);

const ACTIVE = "__active__:";
const active = new Map();
const abandoned = new Map();

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

function applyMetadata(req, ctx) {
  for (const [k, v] of Object.entries(req.responseHeaders)) ctx.responseHeader.set(k, v);
  for (const [k, v] of Object.entries(req.responseTrailers)) ctx.responseTrailer.set(k, v);
}

function maybeThrow(req) {
  if (req.errorCode) {
    const details = req.errorDetails.map((d) => ({
      type: d.typeUrl.slice(d.typeUrl.lastIndexOf("/") + 1),
      value: d.value,
    }));
    throw new ConnectError(req.errorMessage, req.errorCode, undefined, details);
  }
}

function makeResponse(req, ctx, extra = {}) {
  const requestHeaders = {};
  ctx.requestHeader.forEach((v, k) => {
    requestHeaders[k] = v;
  });
  const remaining = ctx.timeoutMs();
  return create(EchoResponseSchema, {
    message: req.message,
    payload: req.payload,
    index: 0,
    requestHeaders,
    timeoutMs: BigInt(remaining === undefined ? -1 : Math.trunc(remaining)),
    httpMethod: ctx.requestMethod,
    ...extra,
  });
}

async function unary(req, ctx) {
  applyMetadata(req, ctx);
  if (req.delayMs) await sleep(req.delayMs, ctx.signal);
  maybeThrow(req);
  return makeResponse(req, ctx);
}

function routes(router) {
  router.service(EchoService, {
    async echo(req, ctx) {
      if (req.message.startsWith(ACTIVE)) {
        const key = req.message.slice(ACTIVE.length);
        return create(EchoResponseSchema, {
          message: String(active.get(key) ?? 0),
          index: abandoned.get(key) ?? 0,
        });
      }
      return unary(req, ctx);
    },
    echoPost: unary,
    async collect(reqs, ctx) {
      const messages = [];
      const payloads = [];
      let first;
      for await (const m of reqs) {
        first ??= m;
        applyMetadata(m, ctx);
        if (m.delayMs) await sleep(m.delayMs, ctx.signal);
        maybeThrow(m);
        messages.push(m.message);
        payloads.push(m.payload);
      }
      const payload = Buffer.concat(payloads.map((p) => Buffer.from(p)));
      return makeResponse(first ?? { message: "", payload: new Uint8Array() }, ctx, {
        index: messages.length,
        message: messages.join(" "),
        payload: new Uint8Array(payload),
      });
    },
    async *repeat(req, ctx) {
      applyMetadata(req, ctx);
      const key = req.message;
      active.set(key, (active.get(key) ?? 0) + 1);
      let finished = false;
      try {
        for (let i = 0; i < req.count; i++) {
          if (req.delayMs) await sleep(req.delayMs, ctx.signal);
          yield makeResponse(req, ctx, { index: i });
        }
        maybeThrow(req);
        finished = true;
      } finally {
        active.set(key, active.get(key) - 1);
        if (!finished) abandoned.set(key, (abandoned.get(key) ?? 0) + 1);
      }
    },
    async *chat(reqs, ctx) {
      let i = 0;
      for await (const m of reqs) {
        applyMetadata(m, ctx);
        if (m.delayMs) await sleep(m.delayMs, ctx.signal);
        maybeThrow(m);
        yield makeResponse(m, ctx, { index: i++ });
      }
    },
  });
}

const handler = connectNodeAdapter({
  routes,
  acceptCompression: [compressionGzip, compressionBrotli],
});

const listen = (server) =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server.address().port)));

const h1 = http.createServer(handler);
const h2 = http2.createServer(handler);
const ports = { http1: await listen(h1), h2c: await listen(h2) };
process.stdout.write(`${JSON.stringify(ports)}\n`);

const stop = () => {
  h1.closeAllConnections?.();
  h1.close();
  h2.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
