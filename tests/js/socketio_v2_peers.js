// socket.io 2 (Engine.IO v3, Socket.IO protocol v4) server and client over the websocket
// transport: the server listens on argv[2], the client connects to argv[3] (the recording
// relay). In v3 the client pings (every 300 ms here). Prints what each side received.
"use strict";
const http = require("http");
const createServer = require("socket.io-v2");
const connect = require("socket.io-client-v2");

const serverPort = Number(process.argv[2]);
const relayPort = Number(process.argv[3]);
const log = { server: [], client: [], acks: {} };
const bytes = (value) => {
  if (Buffer.isBuffer(value)) return { $bytes: value.toString("base64") };
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(bytes);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bytes(v)]));
  }
  return value;
};

const httpServer = http.createServer();
const server = createServer(httpServer, {
  transports: ["websocket"], pingInterval: 300, pingTimeout: 2000,
});
server.on("connection", (socket) => {
  socket.on("chat", (msg, ack) => {
    log.server.push(["client", "/", "chat", bytes([msg])]);
    ack("ok", msg.text.length);
  });
  socket.on("upload", (blob, ack) => {
    log.server.push(["client", "/", "upload", bytes([blob])]);
    socket.emit("blob", { data: Buffer.from([9, 8, 7]) });
    ack({ got: blob.length });
  });
});
server.of("/chat").on("connection", (socket) => {
  socket.emit("hello", "from /chat");
});

const timer = setTimeout(() => { console.error("timed out"); process.exit(3); }, 15000);
httpServer.listen(serverPort, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${relayPort}`;
  const root = connect(url, { transports: ["websocket"] });
  const chat = connect(`${url}/chat`, { transports: ["websocket"] });
  let blob = false;
  let hello = false;
  const finish = () => {
    if (!blob || !hello || !("upload" in log.acks)) return;
    setTimeout(() => {  // let the client ping a few times
      clearTimeout(timer);
      root.close();
      chat.close();
      setTimeout(() => {
        console.log(JSON.stringify(log));
        server.close();
        process.exit(0);
      }, 200);
    }, 1000);
  };
  root.on("blob", (data) => {
    log.client.push(["server", "/", "blob", bytes([data])]);
    blob = true;
    finish();
  });
  chat.on("hello", (text) => {
    log.client.push(["server", "/chat", "hello", bytes([text])]);
    hello = true;
    finish();
  });
  root.on("connect", () => {
    root.emit("chat", { text: "hi there" }, (status, length) => {
      log.acks.chat = [status, length];
      root.emit("upload", Buffer.alloc(100, 5), (res) => {
        log.acks.upload = res;
        finish();
      });
    });
  });
});
