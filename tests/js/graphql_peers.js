// The graphql-ws library's server (on ws) and client speaking graphql-transport-ws: the
// server listens on argv[2], the client connects to argv[3] (the test's recording relay),
// runs a subscription with variables and a query, and prints one JSON line of what it got.
"use strict";
const { WebSocketServer, WebSocket } = require("ws");
const { useServer } = require("graphql-ws/lib/use/ws");
const { createClient } = require("graphql-ws");
const {
  GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt, GraphQLNonNull,
} = require("graphql");

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: "Query",
    fields: { hello: { type: GraphQLString, resolve: () => "world" } },
  }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: {
      count: {
        type: GraphQLInt,
        args: { to: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: async function* (_, { to }) {
          for (let i = 1; i <= to; i++) yield { count: i };
        },
      },
    },
  }),
});

const serverPort = Number(process.argv[2]);
const relayPort = Number(process.argv[3]);
const timer = setTimeout(() => { console.error("timed out"); process.exit(3); }, 15000);
const wss = new WebSocketServer({ port: serverPort, host: "127.0.0.1", path: "/graphql" });
useServer({ schema }, wss);

wss.on("listening", async () => {
  const client = createClient({
    url: `ws://127.0.0.1:${relayPort}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { token: "t0k" },
    lazy: false,
  });
  const log = { operations: [] };
  const run = (payload) => new Promise((resolve, reject) => {
    const results = [];
    client.subscribe(payload, {
      next: (value) => results.push(value),
      error: reject,
      complete: () => resolve(results),
    });
  });
  const subscription = {
    query: "subscription Count($to: Int!) { count(to: $to) }",
    variables: { to: 3 },
    operationName: "Count",
  };
  log.operations.push({ ...subscription, results: await run(subscription) });
  const query = { query: "{ hello }" };
  log.operations.push({ ...query, variables: null, operationName: null, results: await run(query) });
  await client.dispose();
  clearTimeout(timer);
  setTimeout(() => {
    console.log(JSON.stringify(log));
    wss.close();
    process.exit(0);
  }, 200);
});
