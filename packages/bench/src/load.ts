// One autocannon run in its own process (so the load generator never shares a CPU queue with
// the server it measures): POST /chat/warm with rotating conversation ids; prints JSON.
import autocannon from "autocannon";

const [url, seconds, connections, ids] = process.argv.slice(2);
let n = 0;
const result = await autocannon({
  url: `${url}/chat/warm`,
  method: "POST",
  connections: Number(connections),
  duration: Number(seconds),
  headers: { "content-type": "application/json" },
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ conversationId: `bench-${n++ % Number(ids)}` }),
      }),
    },
  ],
});
console.log(
  JSON.stringify({
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
