// The legacy Apollo protocol (Sec-WebSocket-Protocol: graphql-ws) between
// subscriptions-transport-ws's own server and client: the server listens on argv[2], the
// client connects to argv[3] (the recording relay), runs a subscription with variables and a
// query, and prints one JSON line of what it got.
"use strict";
const http = require("http");
const WebSocket = require("ws");
const { SubscriptionServer, SubscriptionClient } = require("subscriptions-transport-ws");
const {
  execute, subscribe, GraphQLSchema, GraphQLObjectType, GraphQLString, GraphQLInt,
  GraphQLNonNull,
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
const httpServer = http.createServer();
SubscriptionServer.create({ schema, execute, subscribe }, { server: httpServer, path: "/graphql" });

httpServer.listen(serverPort, "127.0.0.1", async () => {
  const client = new SubscriptionClient(
    `ws://127.0.0.1:${relayPort}/graphql`,
    { reconnect: false, connectionParams: { token: "t0k" } },
    WebSocket,
  );
  const log = { operations: [] };
  const run = (payload) => new Promise((resolve, reject) => {
    const results = [];
    client.request(payload).subscribe({
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
  const query = { query: "{ hello }", variables: {}, operationName: null };
  log.operations.push({ ...query, results: await run(query) });
  client.close();
  clearTimeout(timer);
  setTimeout(() => {
    console.log(JSON.stringify(log));
    httpServer.close();
    process.exit(0);
  }, 200);
});
