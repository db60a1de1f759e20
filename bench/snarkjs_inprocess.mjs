// In-process (warm) snarkjs timings for bench/groth16.py; prints one JSON object.
//
// Usage: node bench/snarkjs_inprocess.mjs ZKEY WASM INPUT_JSON VK_JSON RUNS
//
// In one node process: snarkjs.wtns.calculate (its own witness calculator, built from the
// circom WASM on each call, as fullProve does), groth16.prove with the zkey held in memory
// (so no file read in the loop) and groth16.verify, each RUNS times after one warm-up
// call; the median and every sample in seconds. snarkjs has no batch verifier.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const snarkjs = await import(
  new URL("../tests/interop/node_modules/snarkjs/main.js", import.meta.url).href
);

const [zkeyPath, wasmPath, inputPath, vkPath, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || "5");
const input = JSON.parse(readFileSync(inputPath, "utf8"));
const vk = JSON.parse(readFileSync(vkPath, "utf8"));
const zkey = zkeyPath;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function timed(fn, n) {
  await fn(); // warm-up
  const samples = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push((performance.now() - t) / 1e3);
  }
  return { median: median(samples), samples };
}

const witness = async () => {
  const wtns = { type: "mem" };
  await snarkjs.wtns.calculate(input, wasmPath, wtns);
  return wtns;
};
const wtns = await witness();
let last;
const prove = async () => {
  last = await snarkjs.groth16.prove(zkey, wtns);
};
const out = {};
out.witness = await timed(witness, runs);
out.prove = await timed(prove, runs);
const { proof, publicSignals } = last;
out.verify = await timed(async () => {
  if (!(await snarkjs.groth16.verify(vk, publicSignals, proof))) throw new Error("invalid");
}, Math.max(runs, 15));
out.verified = await snarkjs.groth16.verify(vk, publicSignals, proof);
out.rss_mb = process.memoryUsage().rss / 1e6;
out.threads = globalThis.curve_bn128 ? globalThis.curve_bn128.tm.concurrency : null;
process.stdout.write(JSON.stringify(out) + "\n");
if (globalThis.curve_bn128) await globalThis.curve_bn128.terminate();
process.exit(0);
