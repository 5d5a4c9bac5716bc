// The reference JavaScript Socket.IO server and client talking over the websocket
// transport: the server listens on argv[2], the client connects to argv[3] (the test's
// recording relay). Prints one JSON line: what each side received (events, acks).
"use strict";
const http = require("http");
const { Server } = require("socket.io");
const { io } = require("socket.io-client");

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
const server = new Server(httpServer, { transports: ["websocket"] });
server.on("connection", (socket) => {
  socket.emit("welcome", { hello: "you", n: [1, 2.5, null, true] });
  socket.on("chat", (msg, ack) => {
    log.server.push(["client", "/", "chat", bytes([msg])]);
    ack("ok", msg.text.length);
  });
  socket.on("upload", (blob, meta, ack) => {
    log.server.push(["client", "/", "upload", bytes([blob, meta])]);
    socket.emit("blob", { data: Buffer.from([0, 255, 1, 2]), more: [Buffer.from("xyz")] });
    socket.emit("question", "why?", (answer) => {
      log.acks.question = answer;
    });
    ack({ got: blob.length });
  });
});
server.of("/chat").on("connection", (socket) => {
  socket.on("join", (name) => {
    log.server.push(["client", "/chat", "join", bytes([name])]);
    socket.emit("joined", [name, 1], "ünï ☃");
  });
});

const timer = setTimeout(() => {
  console.error("timed out");
  process.exit(3);
}, 15000);

httpServer.listen(serverPort, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${relayPort}`;
  const root = io(url, { transports: ["websocket"], auth: { token: "t0k" } });
  const chat = io(`${url}/chat`, { transports: ["websocket"] });
  root.on("welcome", (data) => log.client.push(["server", "/", "welcome", bytes([data])]));
  root.on("blob", (data) => log.client.push(["server", "/", "blob", bytes([data])]));
  root.on("question", (text, ack) => {
    log.client.push(["server", "/", "question", bytes([text])]);
    ack("because");
  });
  chat.on("joined", (a, b) => {
    log.client.push(["server", "/chat", "joined", bytes([a, b])]);
    finish();
  });
  let pending = 2;
  const connected = () => {
    pending -= 1;
    if (pending) return;
    root.emit("chat", { text: "hi there" }, (status, length) => {
      log.acks.chat = [status, length];
      const blob = Buffer.alloc(700, 7);
      root.emit("upload", blob, { name: "f.bin", raw: Buffer.from([254, 0, 255]) }, (res) => {
        log.acks.upload = res;
        chat.emit("join", "alice");
      });
    });
  };
  root.on("connect", connected);
  chat.on("connect", connected);
  const finish = () => {
    const wait = setInterval(() => {
      if (!("question" in log.acks)) return;
      clearInterval(wait);
      clearTimeout(timer);
      root.disconnect();
      chat.disconnect();
      setTimeout(() => {
        console.log(JSON.stringify(log));
        server.close();
        httpServer.close();
        process.exit(0);
      }, 200);
    }, 20);
  };
});
